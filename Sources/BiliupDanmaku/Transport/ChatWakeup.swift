#if canImport(Glibc)
import Glibc
#endif

/// A self-pipe that wakes a chat thread out of poll(): `stop()` and finished polling requests signal it,
/// so the thread never sleeps through either, and waits need no short timeouts to notice them.
final class ChatWakeup: Sendable {
    let readDescriptor: Int32
    private let writeDescriptor: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        // Without a pipe the thread could not be stopped: nothing sensible can go on.
        precondition(pipe(&fds) == 0, "pipe failed: \(errno)")
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readDescriptor = fds[0]
        writeDescriptor = fds[1]
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    func signal() {
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)  // a full pipe already wakes the reader
    }

    func drain() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(readDescriptor, &bytes, bytes.count) > 0 {}
    }

    enum Readiness {
        case ready
        case woken
        case timedOut
    }

    /// Waits until `descriptor` has `events` (POLLIN/POLLOUT), the pipe is signalled, or `timeout` passes.
    /// The pipe is left signalled: whoever checks the reason (stop flag, a response) drains it.
    func wait(for descriptor: Int32?, events: Int16, timeout: Duration) -> Readiness {
        var fds = [pollfd(fd: readDescriptor, events: Int16(POLLIN), revents: 0)]
        if let descriptor { fds.append(pollfd(fd: descriptor, events: events, revents: 0)) }
        let ms = Int32(clamping: max(0, Int((timeout.seconds * 1000).rounded(.up))))
        while true {
            let n = poll(&fds, nfds_t(fds.count), ms)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return .timedOut }
            if fds[0].revents != 0 { return .woken }
            // POLLERR/POLLHUP count as ready: the read or write that follows reports the failure.
            return .ready
        }
    }
}
