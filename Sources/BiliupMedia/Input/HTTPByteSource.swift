import BiliupNet

/// An HTTP body (HTTP-FLV, a raw MPEG-TS stream) as a ByteSource, with a look at its first bytes so the
/// right demuxer can be chosen before any byte is consumed.
public final class HTTPByteSource: ByteSource {
    private let transfer: StreamTransfer
    private let readTimeout: Duration
    private var peeked: [UInt8] = []
    private var peekOffset = 0
    public let contentType: String?

    /// Bytes looked at to tell FLV, M3U8, MPEG-TS and HTML apart.
    static let sniffBytes = 512

    public init(request: HTTPRequest, readTimeout: Duration) throws(MediaError) {
        self.readTimeout = readTimeout
        do {
            transfer = try HTTPClient.openStream(request)
        } catch {
            throw .network(error)
        }
        switch transfer.waitForResponse(timeout: request.connectTimeout + readTimeout) {
        case .failure(let e):
            transfer.cancel()
            throw .network(e)
        case .success(let head):
            contentType = head.headers["content-type"]
        }
    }

    deinit { transfer.cancel() }

    public var receivedBytes: Int64 { transfer.receivedBytes }

    public func cancel() { transfer.cancel() }

    /// The first bytes of the body (fewer if it ends sooner). They are still returned by `read`.
    public func peek() throws(MediaError) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: HTTPByteSource.sniffBytes)
        while peeked.count < HTTPByteSource.sniffBytes {
            let want = HTTPByteSource.sniffBytes - peeked.count
            let r = buf.withUnsafeMutableBytes { transfer.read(into: $0.baseAddress!, capacity: want, timeout: readTimeout) }
            switch r {
            case .bytes(let n): peeked += buf[0..<n]
            case .end: return peeked
            case .failed(let e): if peeked.isEmpty { throw .network(e) } else { return peeked }
            }
        }
        return peeked
    }

    public func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> SourceRead {
        if peekOffset < peeked.count {
            let n = min(capacity, peeked.count - peekOffset)
            peeked.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + peekOffset, byteCount: n) }
            peekOffset += n
            if peekOffset == peeked.count { peeked = [] ; peekOffset = 0 }
            return .bytes(n)
        }
        switch transfer.read(into: buffer, capacity: capacity, timeout: readTimeout) {
        case .bytes(let n): return .bytes(n)
        case .end: return .end
        case .failed(.stalled(let s)): return .failed(.stalled(seconds: s))
        case .failed(let e): return .failed(.network(e))
        }
    }
}
