import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A seekable write-only AVIOContext over a `MediaFile`, so libavformat's muxers write with O_DIRECT
/// too. Copy: the muxer's AVIO buffer is copied into the file's buffer; that copy replaces the kernel's
/// copy into the page cache that libavformat's own file protocol would cause.
final class AVIOOutput {
    let context: UnsafeMutablePointer<AVIOContext>
    private let file: MediaFile
    /// Where the muxer writes next (it seeks back to patch headers at the end).
    private var position: Int64 = 0
    /// The file's own error for the last failed write; libavformat passes on only an error code.
    private(set) var failure: MediaError?

    /// 64 KiB: a few callbacks per second per stream; the file gathers them into large writes.
    static let bufferBytes = 64 << 10

    init(file created: CreatedFile) {
        file = MediaFile(file: created)
        let buffer = av_malloc(AVIOOutput.bufferBytes)!.assumingMemoryBound(to: UInt8.self)
        context = shim_avio_alloc_write(buffer, Int32(AVIOOutput.bufferBytes), nil, avioWriteCallback,
                                        avioSeekCallback)!
        context.pointee.opaque = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        // avio may have replaced its buffer; free the one it holds now.
        av_freep(&context.pointee.buffer)
        var c: UnsafeMutablePointer<AVIOContext>? = context
        avio_context_free(&c)
    }

    /// Bytes in the file once everything is written (after `close()`, its exact size).
    var size: Int64 { file.size }

    /// Hands everything the muxer has written so far to the kernel.
    func flush() throws(MediaError) {
        avio_flush(context)
        if let failure { throw failure }
        try file.flush()
    }

    func close() throws(MediaError) {
        avio_flush(context)
        if let failure { throw failure }
        try file.close()
    }

    fileprivate func write(_ bytes: UnsafeMutablePointer<UInt8>, _ n: Int32) -> Int32 {
        do {
            try file.write(bytes, Int(n), at: position)
        } catch {
            failure = error
            return shim_AVERROR(EIO)
        }
        position += Int64(n)
        return n
    }

    fileprivate func seek(_ offset: Int64, _ whence: Int32) -> Int64 {
        if whence & shim_AVSEEK_SIZE() != 0 { return file.size }
        switch whence & ~AVSEEK_FORCE {
        case SEEK_SET: position = offset
        case SEEK_CUR: position += offset
        case SEEK_END: position = file.size + offset
        default: return Int64(shim_AVERROR(EINVAL))
        }
        return position
    }
}

private let avioWriteCallback: shim_avio_write_cb = { opaque, buf, size in
    Unmanaged<AVIOOutput>.fromOpaque(opaque!).takeUnretainedValue().write(buf!, size)
}

private let avioSeekCallback: shim_avio_seek_cb = { opaque, offset, whence in
    Unmanaged<AVIOOutput>.fromOpaque(opaque!).takeUnretainedValue().seek(offset, whence)
}
