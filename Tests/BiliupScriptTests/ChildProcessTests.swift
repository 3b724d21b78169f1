@testable import BiliupScript
import Foundation
import Testing

/// What a hook's program gets from ChildProcess beyond `MainScriptTests`' mask, directory and timeout.
@Suite struct ChildProcessTests {
    /// A program that ignores its timeout's SIGTERM is killed `killGrace` later.
    @Test func aProgramIgnoringSIGTERMIsKilled() async {
        let r = await ChildProcess.run(["sh", "-c", "trap '' TERM; sleep 60"], cwd: nil, timeout: 1, outputLimit: 100)
        #expect(r.status == 128 + 9)
        #expect(r.error == "killed after 1 s")
    }

    /// Output beyond the limit is read and dropped: the program runs to its end instead of blocking on a
    /// full pipe, and the first bytes are kept.
    @Test func outputBeyondTheLimitIsDrained() async {
        let r = await ChildProcess.run(["sh", "-c", "printf abc; head -c 3000000 /dev/zero; printf xyz >&2"],
                                       cwd: nil, timeout: 600, outputLimit: 1000)
        #expect(r.status == 0 && r.error == nil)
        #expect(r.stdout.count == 1000)
        #expect(Array(r.stdout.prefix(3)) == Array("abc".utf8))
        #expect(r.stderr == Data("xyz".utf8))
    }

    @Test func aMissingProgramIsReportedNotRun() async {
        let r = await ChildProcess.run(["no-such-program-here"], cwd: "/tmp", timeout: 10, outputLimit: 100)
        #expect(r.status == -1)
        #expect(r.error?.hasPrefix("cannot run no-such-program-here in /tmp: ") == true, "\(r.error ?? "")")
    }
}
