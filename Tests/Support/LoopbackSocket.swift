import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A socket descriptor shared by threads: the one reading requests, whoever writes the response (a
/// handler or the stream pacer) and `stop()`. Closing while another thread is inside a call only shuts
/// the socket down (which wakes that call); the descriptor itself is closed when the last call returns,
/// so no thread can ever read or write a reused descriptor number.
final class LoopbackSocket: @unchecked Sendable {
    private let lock = NSLock()
    private let fd: Int32
    private var callsInProgress = 0
    private var closeRequested = false
    private var closed = false
    private let onClose: @Sendable (LoopbackSocket) -> Void

    init(fd: Int32, onClose: @escaping @Sendable (LoopbackSocket) -> Void = { _ in }) {
        self.fd = fd
        self.onClose = onClose
    }

    /// Runs `body` with the descriptor, or returns nil once the socket is closing.
    func use<T>(_ body: (Int32) -> T) -> T? {
        lock.lock()
        guard !closeRequested else { lock.unlock(); return nil }
        callsInProgress += 1
        lock.unlock()
        let result = body(fd)
        lock.lock()
        callsInProgress -= 1
        let closeNow = closeRequested && callsInProgress == 0 && !closed
        if closeNow { closed = true }
        lock.unlock()
        if closeNow { finalClose() }
        return result
    }

    /// Reads what is available (blocking until something is); 0 at end of stream, error or close.
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        use { fd in
            while true {
                let count = recv(fd, buffer.baseAddress, buffer.count, 0)
                if count < 0 && errno == EINTR { continue }
                return max(count, 0)
            }
        } ?? 0
    }

    /// Sends bytes; MSG_NOSIGNAL turns a vanished peer into EPIPE instead of a process-killing SIGPIPE.
    /// Blocking sends everything and returns the count; non-blocking sends what fits now (maybe 0).
    /// nil means the peer is gone or the socket closed.
    func send(_ bytes: UnsafeRawBufferPointer, blocking: Bool) -> Int? {
        use { fd -> Int? in
            var sent = 0
            while sent < bytes.count {
                let flags = Int32(MSG_NOSIGNAL) | (blocking ? 0 : Int32(MSG_DONTWAIT))
                let count = Glibc.send(fd, bytes.baseAddress! + sent, bytes.count - sent, flags)
                if count >= 0 { sent += count; continue }
                switch errno {
                case EINTR: continue
                case EAGAIN where !blocking: return sent
                default: return nil
                }
            }
            return sent
        } ?? nil
    }

    /// Closes the connection. `abortive` sets a zero linger time so the close sends RST, which the client
    /// sees as "connection reset", a cut rather than a clean end of stream.
    func close(abortive: Bool = false) {
        lock.lock()
        guard !closeRequested else { lock.unlock(); return }
        closeRequested = true
        if abortive {
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
        let closeNow = callsInProgress == 0
        if closeNow { closed = true } else { shutdown(fd, Int32(SHUT_RDWR)) }
        lock.unlock()
        if closeNow { finalClose() }
    }

    private func finalClose() {
        Glibc.close(fd)
        onClose(self)
    }
}
