import Foundation

/// The body of a request served by a streaming route, read as it arrives: uploads of any size pass
/// through a handler without being held in memory.
public final class RequestBodyStream: @unchecked Sendable {
    /// Bytes the body has (its `Content-Length`).
    public let length: Int

    private let socket: LoopbackSocket
    private var buffered: Data
    private let lock = NSLock()
    private var consumed = 0

    init(socket: LoopbackSocket, buffered: Data, length: Int) {
        self.socket = socket
        self.buffered = buffered
        self.length = length
    }

    /// Bytes read so far.
    public var received: Int { lock.withLock { consumed } }

    /// Reads the body's next bytes into `buffer`, blocking until some arrive; 0 at the end of the body
    /// or when the client went away (`received < length` tells the two apart).
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        lock.withLock {
            let wanted = min(buffer.count, length - consumed)
            guard wanted > 0 else { return 0 }
            var count: Int
            if !buffered.isEmpty {
                count = min(wanted, buffered.count)
                buffered.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: buffered.startIndex..<buffered.startIndex + count)
                buffered = Data(buffered.dropFirst(count))
            } else {
                // Never past the body's end: what follows belongs to the connection's next request.
                count = socket.receive(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]))
            }
            consumed += count
            return count
        }
    }

    /// The whole body (for the small ones: JSON, forms), or nil when the client went away first.
    public func readAll() -> Data? {
        var data = Data(capacity: length)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while received < length {
            let count = chunk.withUnsafeMutableBytes { read(into: $0) }
            guard count > 0 else { return nil }
            data.append(contentsOf: chunk[0..<count])
        }
        return data
    }

    /// Reads and drops the rest, so the connection's next request starts where it should; false when
    /// the client went away first.
    @discardableResult
    public func discardRest() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while received < length {
            guard chunk.withUnsafeMutableBytes({ read(into: $0) }) > 0 else { return false }
        }
        return true
    }
}
