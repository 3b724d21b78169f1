import Foundation
import Subprocess

/// Runs a hook's program: no shell, PATH lookup for a bare name, stdin from /dev/null, stdout and stderr
/// captured, SIGTERM at its timeout and SIGKILL `killGrace` later.
///
/// The child must start as if from a shell, with an empty signal mask and default actions: biliup blocks
/// SIGINT and SIGTERM in every thread (its signal thread takes them with `sigwait`) and libdispatch threads
/// block nearly every signal, and Foundation's `Process` passes the spawning thread's mask on (its child
/// showed SigBlk fffffffe3bfbea27), so a program ignored its timeout's SIGTERM, and so did everything it
/// started. swift-subprocess spawns with POSIX_SPAWN_SETSIGMASK (empty) and POSIX_SPAWN_SETSIGDEF (every
/// signal), changes directory in the child, and on Linux signals and waits through a pidfd, so a signal
/// never reaches a later process that reused the pid.
enum ChildProcess {
    struct Result: Sendable {
        var status: Int32
        var stdout: Data
        var stderr: Data
        /// Why the program did not run or did not finish on its own.
        var error: String?
    }

    /// After the timeout's SIGTERM, a program that is still running this much later gets SIGKILL.
    static let killGrace = Duration.seconds(5)

    /// Runs `argv` to its end; output beyond `outputLimit` bytes per stream is read and discarded, so a
    /// chatty program never blocks on a full pipe.
    static func run(_ argv: [String], cwd: String?, timeout: Double, outputLimit: Int) async -> Result {
        let executable: Executable = argv[0].contains("/") ? .path(.init(argv[0])) : .name(argv[0])
        do {
            let result = try await Subprocess.run(
                executable, arguments: Arguments(Array(argv.dropFirst())), workingDirectory: cwd.map { .init($0) },
                input: .none, output: .sequence, error: .sequence
            ) { execution in
                let deadline = Task { () -> Bool in
                    guard (try? await Task.sleep(for: .seconds(timeout))) != nil else { return false }
                    await execution.teardown(using: [.gracefulShutDown(allowedDurationToNextStep: killGrace)])
                    return true
                }
                async let stdout = collect(execution.standardOutput, limit: outputLimit)
                async let stderr = collect(execution.standardError, limit: outputLimit)
                let output = try await (stdout, stderr)
                deadline.cancel()
                return (stdout: output.0, stderr: output.1, timedOut: await deadline.value)
            }
            let output = result.closureResult
            switch result.terminationStatus {
            case .exited(let code):
                return Result(status: code, stdout: output.stdout, stderr: output.stderr, error: nil)
            case .signaled(let signal):
                return Result(status: 128 + signal, stdout: output.stdout, stderr: output.stderr,
                              error: output.timedOut ? "killed after \(Int(timeout)) s" : nil)
            }
        } catch {
            let where_ = cwd.map { " in \($0)" } ?? ""
            return Result(status: -1, stdout: Data(), stderr: Data(), error: "cannot run \(argv[0])\(where_): \(error)")
        }
    }

    /// Reads one stream to its end, keeping the first `limit` bytes.
    private static func collect(_ output: SubprocessOutputSequence, limit: Int) async throws -> Data {
        var data = Data()
        for try await chunk in output where data.count < limit {
            chunk.withUnsafeBytes { data.append(contentsOf: $0.prefix(limit - data.count)) }
        }
        return data
    }
}
