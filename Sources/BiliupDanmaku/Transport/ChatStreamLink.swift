import BiliupNet
#if canImport(Glibc)
import Glibc
#endif

/// A connected chat stream: non-blocking sends and reads on a `ConnectOnlySocket`, with every wait also
/// woken by `stop()`. Speaks WebSocket frames or, for raw TCP, passes bytes through.
final class ChatStreamLink {
    /// A send that cannot make progress for this long means the peer stopped reading.
    static let writeStallLimit: Duration = .seconds(30)

    let socket: ConnectOnlySocket
    let webSocket: Bool
    private let wakeup: ChatWakeup
    private let isStopping: () -> Bool

    init(socket: ConnectOnlySocket, webSocket: Bool, wakeup: ChatWakeup, isStopping: @escaping () -> Bool) {
        self.socket = socket
        self.webSocket = webSocket
        self.wakeup = wakeup
        self.isStopping = isStopping
    }

    /// A session's frame as it goes on the wire: a masked WebSocket frame, or the bytes themselves on TCP.
    func send(_ frame: ChatFrame) throws(ChatAttemptEnd) {
        if webSocket { return try sendAll(WebSocketFrameEncoder.frame(frame)) }
        switch frame {
        case .binary(let b): try sendAll(b)
        case .text(let s): try sendAll(Array(s.utf8))
        }
    }

    func sendAll(_ bytes: [UInt8]) throws(ChatAttemptEnd) {
        var offset = 0
        var deadline = ContinuousClock.now + ChatStreamLink.writeStallLimit
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { all in
                Result { () throws(NetError) -> Int in try socket.write(UnsafeRawBufferPointer(rebasing: all[offset...])) }
            }
            let n: Int
            do throws(NetError) {
                n = try written.get()
            } catch {
                throw .failed(.network(error))
            }
            if n > 0 {
                offset += n
                deadline = ContinuousClock.now + ChatStreamLink.writeStallLimit
                continue
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw .failed(.network(.stalled(seconds: ChatStreamLink.writeStallLimit.seconds))) }
            if wakeup.wait(for: socket.descriptor, events: Int16(POLLOUT), timeout: left) == .woken { try checkStop() }
        }
    }

    /// A close frame sent on the way out if it fits now; a peer that does not take it is left anyway.
    func sendCloseQuietly(code: UInt16) {
        guard webSocket else { return }
        let frame = WebSocketFrameEncoder.close(code: code)
        _ = frame.withUnsafeBytes { b in try? socket.write(b) }
    }

    /// Waits for input until `timeout`; true when input (or an error to read) is there.
    func waitReadable(timeout: Duration) throws(ChatAttemptEnd) -> Bool {
        switch wakeup.wait(for: socket.descriptor, events: Int16(POLLIN), timeout: timeout) {
        case .ready: return true
        case .timedOut: return false
        case .woken:
            try checkStop()
            return false
        }
    }

    /// Reads into the start of `buffer` without blocking.
    func read(into buffer: inout [UInt8]) throws(ChatAttemptEnd) -> ConnectOnlySocket.ReadResult {
        let result = buffer.withUnsafeMutableBytes { b in Result { () throws(NetError) in try socket.read(into: b) } }
        do throws(NetError) {
            return try result.get()
        } catch {
            throw .failed(.network(error))
        }
    }

    /// Throws `.stopped` if `stop()` was called; otherwise the wakeup was for someone else: cleared.
    func checkStop() throws(ChatAttemptEnd) {
        if isStopping() { throw .stopped }
        wakeup.drain()
        if isStopping() { throw .stopped }
    }
}
