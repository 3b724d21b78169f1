import CCurl
import Foundation

/// A long-running media body read by a blocking consumer (the demux thread) through a bounded ring.
/// When the ring is full the transfer pauses; the consumer resumes it once it has drained enough,
/// so a slow consumer costs a fixed amount of memory, never more.
public final class StreamTransfer: CurlTransfer, @unchecked Sendable {
    public enum ReadResult: Sendable, Equatable {
        case bytes(Int)
        case end
        case failed(NetError)
    }

    /// Ring per stream: four curl reads of headroom, about 1.4 s of a 6 Mbit/s stream.
    public static let ringBytes = 1 << 20
    /// Resume a paused transfer once this much is free, so one resume admits a whole curl read.
    static let resumeFreeBytes = 512 << 10
    /// The reader is woken once this much is buffered, or after `batchWait` with less: a recorder needs
    /// no low latency, and a few wakeups per second instead of one per TCP read saves CPU per stream
    /// (about 3 per second at 6 Mbit/s; a quarter of the ring, so the transfer rarely has to pause).
    static let wakeBytes = 256 << 10
    static let batchWait = 0.5

    private let cond = NSCondition()
    private var ring = ByteRing(capacity: StreamTransfer.ringBytes)
    private var paused = false
    private var finished: ReadResult?
    private var status = 0
    private var headers: [String: String] = [:]
    /// Bytes received from the network so far (for status lines and reports).
    public private(set) var receivedBytes: Int64 = 0

    init(request: HTTPRequest) throws(NetError) {
        try super.init(request: request, media: true)
        _ = shim_easy_setopt_long(easy, CURLOPT_FAILONERROR, 1)
    }

    override var awaitsCompletion: Bool { false }

    override func receive(_ data: UnsafeRawPointer, _ count: Int) -> Bool {
        cond.lock()
        defer { cond.unlock() }
        let first = status == 0
        if first { status = responseStatus; headers = responseHeaders }
        if ring.free < count {
            // Paused data comes back whole, so the ring must be able to hold one delivery.
            if count > ring.capacity { growRing(to: count) } else { paused = true; return false }
        }
        ring.write(data, count)
        receivedBytes += Int64(count)
        if first || ring.count >= StreamTransfer.wakeBytes { cond.broadcast() }
        return true
    }

    private func growRing(to minimum: Int) {
        var bigger = ByteRing(capacity: max(minimum, ring.capacity * 2))
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: ring.count, alignment: 16)
        defer { scratch.deallocate() }
        let n = ring.read(into: scratch, ring.count)
        bigger.write(scratch, n)
        ring = bigger
    }

    override func complete(_ code: CURLcode) {
        cond.lock()
        if status == 0 { status = responseStatus; headers = responseHeaders }
        if code == CURLE_HTTP_RETURNED_ERROR {
            finished = .failed(.httpStatus(responseStatus, url: effectiveURL))
        } else if let error = failure(for: code) {
            finished = .failed(error)
        } else {
            finished = .end
        }
        cond.broadcast()
        cond.unlock()
    }

    /// Blocks until some bytes are available, the body ends, or `timeout` passes without data.
    /// Waits for a batch (`wakeBytes`) for up to `batchWait` before taking less.
    public func read(into buffer: UnsafeMutableRawPointer, capacity: Int, timeout: Duration) -> ReadResult {
        cond.lock()
        let start = Date()
        let stallDeadline = start.addingTimeInterval(timeout.seconds)
        let batchDeadline = start.addingTimeInterval(min(StreamTransfer.batchWait, timeout.seconds))
        while ring.count < min(StreamTransfer.wakeBytes, capacity) && finished == nil {
            let now = Date()
            if ring.count > 0 && now >= batchDeadline { break }
            if now >= stallDeadline { break }
            _ = cond.wait(until: ring.count > 0 ? batchDeadline : min(stallDeadline, now.addingTimeInterval(StreamTransfer.batchWait)))
        }
        if ring.count == 0 {
            let result = finished ?? .failed(.stalled(seconds: timeout.seconds))
            cond.unlock()
            return result
        }
        let n = ring.read(into: buffer, capacity)
        let resume = paused && ring.free >= StreamTransfer.resumeFreeBytes
        if resume { paused = false }
        cond.unlock()
        if resume { CurlLoop.shared.resume(self) }
        return .bytes(n)
    }

    /// Blocks until the response head is known (first body bytes or the end of the transfer).
    public func waitForResponse(timeout: Duration) -> Result<(status: Int, headers: [String: String]), NetError> {
        cond.lock()
        defer { cond.unlock() }
        let deadline = Date().addingTimeInterval(timeout.seconds)
        while ring.count == 0 && finished == nil {
            if !cond.wait(until: deadline) { return .failure(.timeout("no response from \(request.url)")) }
        }
        if ring.count == 0, case .failed(let e) = finished { return .failure(e) }
        return .success((status, headers))
    }

    public func cancel() { CurlLoop.shared.cancel(self) }
}
