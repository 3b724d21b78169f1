import CBrotli
import CZlib

/// Decompression of chat bodies through the system's zlib and brotli, with a ceiling on the output so that
/// a small hostile body cannot claim unbounded memory.
public enum Inflate {
    /// Far above any real chat body (Bilibili's compressed batches expand to tens of kilobytes).
    public static let defaultLimit = 8 << 20
    private static let chunkSize = 64 << 10

    /// Inflates a zlib or gzip stream (the header decides). Bytes after the end of the stream are ignored.
    public static func zlib(_ input: [UInt8], limit: Int = defaultLimit) throws -> [UInt8] {
        guard !input.isEmpty else { throw DanmakuDecodeError.truncated }
        var stream = z_stream()
        // 15 + 32: the largest window, and detect a zlib or gzip header automatically.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DanmakuDecodeError.malformed("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        try input.withUnsafeBufferPointer { inBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            stream.avail_in = uInt(inBuffer.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                guard output.count + produced <= limit else { throw DanmakuDecodeError.tooLarge(limit: limit) }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END: return
                case Z_OK: continue
                // No progress possible: all input consumed before the stream's end.
                case Z_BUF_ERROR: throw DanmakuDecodeError.truncated
                default: throw DanmakuDecodeError.malformed("zlib stream is corrupt")
                }
            }
        }
        return output
    }

    /// Decompresses a brotli stream. Bytes after the end of the stream make it corrupt, as brotli defines.
    public static func brotli(_ input: [UInt8], limit: Int = defaultLimit) throws -> [UInt8] {
        guard !input.isEmpty else { throw DanmakuDecodeError.truncated }
        guard let state = BrotliDecoderCreateInstance(nil, nil, nil) else {
            throw DanmakuDecodeError.malformed("brotli could not start")
        }
        defer { BrotliDecoderDestroyInstance(state) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        try input.withUnsafeBufferPointer { inBuffer in
            var nextIn = inBuffer.baseAddress
            var availableIn = inBuffer.count
            while true {
                var availableOut = chunk.count
                let result = chunk.withUnsafeMutableBufferPointer { outBuffer in
                    var nextOut = outBuffer.baseAddress
                    return BrotliDecoderDecompressStream(state, &availableIn, &nextIn, &availableOut, &nextOut, nil)
                }
                let produced = chunk.count - availableOut
                guard output.count + produced <= limit else { throw DanmakuDecodeError.tooLarge(limit: limit) }
                output.append(contentsOf: chunk[0..<produced])
                switch result {
                case BROTLI_DECODER_RESULT_SUCCESS: return
                case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: continue
                case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT: throw DanmakuDecodeError.truncated
                default: throw DanmakuDecodeError.malformed("brotli stream is corrupt")
                }
            }
        }
        return output
    }
}
