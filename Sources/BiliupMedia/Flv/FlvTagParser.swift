/// Reads an FLV byte stream through one reused buffer, across the source's read boundaries.
///
/// The buffer holds what the source delivered but the demuxer has not consumed yet: tag headers, small
/// tags, the first bytes of a large one. Large payloads are read straight into their packet's memory
/// (`take(_:into:)`), so the buffer stays at `defaultCapacity` and a byte of a large frame is copied by
/// us only once (source → packet). Only a sequence header larger than the buffer makes it grow, and it
/// shrinks back once that header is consumed.
final class FlvTagParser {
    /// One FLV tag header (11 bytes) with the PreviousTagSize field that precedes it.
    struct TagHeader {
        /// 8 audio, 9 video, 18 script data (filter bit removed).
        var type: UInt8
        /// Whether the filter (encryption) bit was set.
        var filtered: Bool
        var dataSize: Int
        /// Milliseconds: 24-bit timestamp plus the extended byte as bits 24–31.
        var timestamp: Int64
        /// The PreviousTagSize value read just before this tag.
        var previousTagSize: UInt32
        /// Stream byte offset of the tag header.
        var offset: Int64
    }

    /// Source reads ask for at most this much: large enough for few calls per second per stream, small
    /// enough that hundreds of streams cost little memory.
    static let readChunk = 64 << 10
    /// A payload that still misses at least this much is read straight into its packet instead of
    /// through the buffer (saves one copy per byte of large frames).
    static let directReadThreshold = 16 << 10
    static let defaultCapacity = readChunk + directReadThreshold
    /// PreviousTagSize (4) + tag header (11).
    static let tagHeaderBytes = 15

    let source: ByteSource
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var head = 0
    private var tail = 0
    /// Stream offset of `buffer[head]`.
    private(set) var offset: Int64 = 0
    /// Why the source stopped (`.end`, `.boundary`, `.failed`); sticky once set.
    private(set) var endReason: SourceRead?

    init(source: ByteSource) {
        self.source = source
        capacity = FlvTagParser.defaultCapacity
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Bytes buffered and not consumed yet.
    @inline(__always) var available: Int { tail - head }
    /// The first unconsumed byte; valid for `available` bytes until the next fill.
    @inline(__always) var bytes: UnsafeRawPointer { UnsafeRawPointer(buffer + head) }

    @inline(__always) func byte(_ i: Int) -> UInt8 { buffer.load(fromByteOffset: head + i, as: UInt8.self) }

    @inline(__always) func consume(_ n: Int) {
        head += n
        offset += Int64(n)
    }

    /// Makes at least `n` bytes available. False if the source ended first (see `endReason`); what
    /// arrived stays available.
    func fill(_ n: Int) -> Bool {
        if available >= n { return true }
        if endReason != nil { return false }
        if n > capacity { grow(to: n) }
        // Move the unconsumed rest to the front: it is shorter than `n`, usually a tag header or the
        // start of a small tag, so this costs little and lets every read ask for a full chunk.
        if head > 0 {
            let rest = available
            if rest > 0 { buffer.copyMemory(from: buffer + head, byteCount: rest) }
            head = 0
            tail = rest
            if rest == 0 && capacity > FlvTagParser.defaultCapacity && n <= FlvTagParser.defaultCapacity {
                shrink()
            }
        }
        while available < n {
            let want = min(FlvTagParser.readChunk, capacity - tail)
            switch source.read(into: buffer + tail, capacity: want) {
            case .bytes(let k): tail += k
            case let other:
                endReason = other
                return false
            }
        }
        return true
    }

    /// Skips `n` bytes (tags we do not keep). False if the source ended first.
    func skip(_ n: Int) -> Bool {
        var left = n
        while true {
            let k = min(left, available)
            consume(k)
            left -= k
            if left == 0 { return true }
            head = 0
            tail = 0
            if !fill(min(left, FlvTagParser.readChunk)) {
                consume(available)
                return false
            }
        }
    }

    /// Moves the next `n` bytes to `dst`: the buffered part by copy, the rest straight from the source
    /// when it is large. Returns how many bytes were copied out of the buffer, or nil if the source ended
    /// before `n` bytes arrived.
    func take(_ n: Int, into dst: UnsafeMutableRawPointer) -> Int? {
        let missing = n - available
        if missing <= 0 || (missing < FlvTagParser.directReadThreshold && n <= capacity) {
            guard fill(n) else { return nil }
            dst.copyMemory(from: buffer + head, byteCount: n)
            consume(n)
            return n
        }
        let copied = available
        if copied > 0 { dst.copyMemory(from: buffer + head, byteCount: copied) }
        consume(copied)
        head = 0
        tail = 0
        var done = copied
        while done < n {
            if endReason != nil { return nil }
            switch source.read(into: dst + done, capacity: n - done) {
            case .bytes(let k):
                done += k
                offset += Int64(k)
            case let other:
                endReason = other
                return nil
            }
        }
        return copied
    }

    private func grow(to n: Int) {
        let newCapacity = (n + 4095) & ~4095
        let newBuffer = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if available > 0 { newBuffer.copyMemory(from: buffer + head, byteCount: available) }
        tail = available
        head = 0
        buffer.deallocate()
        buffer = newBuffer
        capacity = newCapacity
    }

    private func shrink() {
        buffer.deallocate()
        capacity = FlvTagParser.defaultCapacity
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        head = 0
        tail = 0
    }

    /// Parses the PreviousTagSize + tag header at the front; requires `available >= tagHeaderBytes`.
    func tagHeader() -> TagHeader {
        let p = bytes
        let typeByte = p.load(fromByteOffset: 4, as: UInt8.self)
        let ts = Int64(be24(p + 8)) | Int64(p.load(fromByteOffset: 11, as: UInt8.self)) << 24
        return TagHeader(type: typeByte & 0x1F, filtered: typeByte & 0x20 != 0, dataSize: Int(be24(p + 5)),
                         timestamp: ts, previousTagSize: be32(p), offset: offset + 4)
    }

    /// The raw tag-type byte of the header at the front (for reserved-bit checks).
    var rawTagType: UInt8 { byte(4) }
}

@inline(__always) func be16(_ p: UnsafeRawPointer) -> UInt32 {
    UInt32(p.load(as: UInt8.self)) << 8 | UInt32(p.load(fromByteOffset: 1, as: UInt8.self))
}

@inline(__always) func be24(_ p: UnsafeRawPointer) -> UInt32 {
    UInt32(p.load(as: UInt8.self)) << 16 | UInt32(p.load(fromByteOffset: 1, as: UInt8.self)) << 8
        | UInt32(p.load(fromByteOffset: 2, as: UInt8.self))
}

@inline(__always) func be32(_ p: UnsafeRawPointer) -> UInt32 {
    UInt32(bigEndian: p.loadUnaligned(as: UInt32.self))
}

/// Signed 24-bit big-endian (FLV composition time).
@inline(__always) func si24(_ p: UnsafeRawPointer) -> Int32 {
    Int32(bitPattern: be24(p) << 8) >> 8
}
