import CBrotliEncoder
import CZlib
import Foundation

/// Compression as the platforms' chat servers do it, through the system's zlib and brotli encoders
/// (the product only decompresses, so the stand-ins are the only compressing code).
public enum ChatCompression {
    /// A zlib stream (Bilibili's protocol version 2).
    public static func zlib(_ input: [UInt8]) -> [UInt8] { deflate(input, windowBits: 15) }

    /// A gzip stream (Douyin's payloads).
    public static func gzip(_ input: [UInt8]) -> [UInt8] { deflate(input, windowBits: 31) }

    /// A brotli stream (Bilibili's protocol version 3).
    public static func brotli(_ input: [UInt8], quality: Int32 = 5) -> [UInt8] {
        var size = BrotliEncoderMaxCompressedSize(input.count)
        if size == 0 { size = input.count + 1024 }  // 0 means the bound overflowed; tiny inputs never do
        var output = [UInt8](repeating: 0, count: size)
        let ok = input.withUnsafeBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, inBuffer.count,
                                      inBuffer.baseAddress, &size, outBuffer.baseAddress)
            }
        }
        precondition(ok == BROTLI_TRUE, "brotli compression of \(input.count) bytes failed")
        return Array(output[0..<size])
    }

    /// Far past the clients' 8 MiB decompression limit, still cheap to compress once.
    public static let bombSize = 9 << 20

    /// `bombSize` zero bytes, zlib-compressed (about 9 KB).
    public static let zlibBomb: [UInt8] = zlib([UInt8](repeating: 0, count: bombSize))
    /// `bombSize` zero bytes, gzip-compressed.
    public static let gzipBomb: [UInt8] = gzip([UInt8](repeating: 0, count: bombSize))
    /// `bombSize` zero bytes, brotli-compressed (a few dozen bytes).
    public static let brotliBomb: [UInt8] = brotli([UInt8](repeating: 0, count: bombSize), quality: 1)

    private static func deflate(_ input: [UInt8], windowBits: Int32) -> [UInt8] {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 64)
        var input = input
        let produced = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                precondition(CZlib.deflate(&stream, Z_FINISH) == Z_STREAM_END, "deflate did not finish")
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<produced])
    }
}
