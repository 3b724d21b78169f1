import CFFmpeg

/// A read-only AVIOContext over a ByteSource, so libavformat demuxes bytes that our own network code
/// received. Copy: the source's bytes are copied once into the AVIO buffer (libavformat reads only from
/// there); that copy and the demuxer's copy into packet buffers are the two copies on this path.
final class AVIOInput {
    let context: UnsafeMutablePointer<AVIOContext>
    let source: ByteSource
    /// Why the last read returned EOF, for the demuxer to tell `.end` from `.boundary` and failures.
    private(set) var endReason: SourceRead?
    /// A boundary stays sticky until the demuxer over it is closed; a new AVIOInput reads on.
    private(set) var copiedBytes: Int64 = 0

    /// 64 KiB: libavformat's default for network input; each call reads what the source has.
    static let bufferBytes = 64 << 10

    init(source: ByteSource) {
        self.source = source
        let buffer = av_malloc(AVIOInput.bufferBytes)!.assumingMemoryBound(to: UInt8.self)
        context = shim_avio_alloc_read(buffer, Int32(AVIOInput.bufferBytes), nil, avioReadCallback)!
        context.pointee.opaque = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        // avio may have replaced its buffer; free the one it holds now.
        av_freep(&context.pointee.buffer)
        var c: UnsafeMutablePointer<AVIOContext>? = context
        avio_context_free(&c)
    }

    fileprivate func read(_ buf: UnsafeMutablePointer<UInt8>, _ size: Int32) -> Int32 {
        if endReason != nil { return shim_AVERROR_EOF() }
        switch source.read(into: buf, capacity: Int(size)) {
        case .bytes(let n):
            copiedBytes += Int64(n)
            return Int32(n)
        case let other:
            endReason = other
            return shim_AVERROR_EOF()
        }
    }
}

private let avioReadCallback: shim_avio_read_cb = { opaque, buf, size in
    Unmanaged<AVIOInput>.fromOpaque(opaque!).takeUnretainedValue().read(buf!, size)
}
