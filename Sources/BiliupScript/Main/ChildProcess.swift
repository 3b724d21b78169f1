import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a hook's program: no shell, PATH lookup for a bare name, stdin from /dev/null, stdout and stderr
/// captured, killed at its timeout.
///
/// Spawned with posix_spawn rather than Foundation's `Process`, because a child inherits its parent
/// thread's signal mask and `Process` passes it on: biliup blocks SIGINT and SIGTERM in every thread (its
/// signal thread takes them with `sigwait`), and libdispatch threads block nearly every signal. A program
/// started that way ignored the SIGTERM of its timeout, and so did everything it started in turn.
/// Here the child gets an empty mask and default actions, as if started from a shell.
enum ChildProcess {
    struct Result: Sendable {
        var status: Int32
        var stdout: Data
        var stderr: Data
        /// Why the program did not run or did not finish on its own.
        var error: String?
    }

    /// After the timeout's SIGTERM, a program that is still running this much later gets SIGKILL.
    static let killGraceSeconds = 5.0

    /// Runs `argv` to its end on the calling thread; output beyond `outputLimit` bytes per stream is read
    /// and discarded, so a chatty program never blocks on a full pipe.
    static func run(_ argv: [String], cwd: String?, timeout: Double, outputLimit: Int) -> Result {
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard closeOnExecPipe(&out, O_CLOEXEC) == 0 else { return failure("cannot create a pipe: \(errnoText())") }
        guard closeOnExecPipe(&err, O_CLOEXEC) == 0 else {
            close(out[0]); close(out[1])
            return failure("cannot create a pipe: \(errnoText())")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        if let cwd { spawnAddChdir(&actions, cwd) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let spawned = cArgs.withUnsafeBufferPointer { args in
            posix_spawnp(&pid, argv[0], &actions, &attributes, args.baseAddress!, environ)
        }
        close(out[1]); close(err[1])
        guard spawned == 0 else {
            close(out[0]); close(err[0])
            let where_ = cwd.map { " in \($0)" } ?? ""
            return failure("cannot run \(argv[0])\(where_): \(String(cString: strerror(spawned)))")
        }

        let watch = ChildWatch(pid: pid)
        let deadline = DispatchWorkItem {
            watch.timeOut(with: SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + killGraceSeconds) { watch.timeOut(with: SIGKILL) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
        let stdoutReader = PipeReader(fd: out[0], limit: outputLimit)
        let stdoutThread = Thread { stdoutReader.readToEnd() }
        stdoutThread.start()
        let stderrReader = PipeReader(fd: err[0], limit: outputLimit)
        stderrReader.readToEnd()
        stdoutReader.finished.wait()

        let status = watch.reap()
        deadline.cancel()
        let exited = status & 0x7F == 0
        let code = exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Result(status: code, stdout: stdoutReader.data, stderr: stderrReader.data,
                      error: watch.timedOut && !exited ? "killed after \(Int(timeout)) s" : nil)
    }

    private static func failure(_ message: String) -> Result {
        Result(status: -1, stdout: Data(), stderr: Data(), error: message)
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// pipe2(2), which Swift's Glibc module does not show (it needs _GNU_SOURCE): the descriptors must be
/// close-on-exec from the start, or a program another thread spawns meanwhile keeps the write end open
/// and the reader never sees the end.
@_silgen_name("pipe2")
private func closeOnExecPipe(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

/// A GNU extension (glibc 2.29) that Swift's Glibc module does not show: the child changes directory
/// before it executes, so the parent's directory is never touched.
@_silgen_name("posix_spawn_file_actions_addchdir_np")
@discardableResult
private func spawnAddChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32

/// Reads one pipe to its end, keeping the first `limit` bytes.
private final class PipeReader: @unchecked Sendable {
    private let fd: Int32
    private let limit: Int
    private(set) var data = Data()
    let finished = DispatchSemaphore(value: 0)

    init(fd: Int32, limit: Int) {
        self.fd = fd
        self.limit = limit
    }

    func readToEnd() {
        defer { close(fd); finished.signal() }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            if data.count < limit { data.append(contentsOf: buffer[0..<min(n, limit - data.count)]) }
        }
    }
}

/// The child's pid for the timeout's signals, which must never reach a later process that got the same
/// pid: the waiter first waits without reaping (the zombie keeps the pid), then marks the child gone under
/// the lock the signals take, then reaps.
private final class ChildWatch: @unchecked Sendable {
    private let lock = NSLock()
    private let pid: pid_t
    private var gone = false
    private var timedOutFlag = false

    init(pid: pid_t) { self.pid = pid }

    var timedOut: Bool { lock.withLock { timedOutFlag } }

    /// Sends a timeout's signal, unless the child is already gone.
    func timeOut(with s: Int32) {
        lock.withLock {
            guard !gone else { return }
            timedOutFlag = true
            kill(pid, s)
        }
    }

    /// Waits for the child to end and returns its wait status.
    func reap() -> Int32 {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        lock.withLock { gone = true }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }
}
