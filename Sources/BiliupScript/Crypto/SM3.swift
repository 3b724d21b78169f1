/// SM3 (GB/T 32905-2016), the Chinese national hash some sites sign with.
struct SM3: BlockCompression {
    static let lengthIsLittleEndian = false

    private var v: [UInt32] = [
        0x7380_166f, 0x4914_b2b9, 0x1724_42d7, 0xda8a_0600, 0xa96f_30bc, 0x1631_38aa, 0xe38d_ee4d, 0xb0fb_0e4e,
    ]

    mutating func compress(_ blocks: UnsafeRawBufferPointer) {
        v.withUnsafeMutableBufferPointer { v in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 68) { w in
                for offset in stride(from: 0, to: blocks.count, by: 64) {
                    let block = UnsafeRawBufferPointer(rebasing: blocks[offset..<offset + 64])
                    for i in 0..<16 { w[i] = block.bigEndianWord(at: i) }
                    for j in 16..<68 {
                        w[j] = Self.p1(w[j - 16] ^ w[j - 9] ^ w[j - 3].rotatedLeft(15))
                            ^ w[j - 13].rotatedLeft(7) ^ w[j - 6]
                    }
                    Self.compressBlock(v, w)
                }
            }
        }
    }

    @inline(__always)
    private static func compressBlock(_ v: UnsafeMutableBufferPointer<UInt32>,
                                      _ w: UnsafeMutableBufferPointer<UInt32>) {
        var (a, b, c, d, e, f, g, h) = (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
        @inline(__always) func step(_ j: Int, _ t: UInt32, _ ff: UInt32, _ gg: UInt32) {
            let a12 = a.rotatedLeft(12)
            let ss1 = (a12 &+ e &+ t.rotatedLeft(UInt32(j & 31))).rotatedLeft(7)
            let tt1 = ff &+ d &+ (ss1 ^ a12) &+ (w[j] ^ w[j + 4])
            let tt2 = gg &+ h &+ ss1 &+ w[j]
            (d, c, b, a) = (c, b.rotatedLeft(9), a, tt1)
            (h, g, f, e) = (g, f.rotatedLeft(19), e, p0(tt2))
        }
        for j in 0..<16 { step(j, 0x79cc_4519, a ^ b ^ c, e ^ f ^ g) }
        for j in 16..<64 { step(j, 0x7a87_9d8a, (a & b) | (a & c) | (b & c), (e & f) | (~e & g)) }
        v[0] ^= a; v[1] ^= b; v[2] ^= c; v[3] ^= d
        v[4] ^= e; v[5] ^= f; v[6] ^= g; v[7] ^= h
    }

    @inline(__always)
    private static func p0(_ x: UInt32) -> UInt32 { x ^ x.rotatedLeft(9) ^ x.rotatedLeft(17) }

    @inline(__always)
    private static func p1(_ x: UInt32) -> UInt32 { x ^ x.rotatedLeft(15) ^ x.rotatedLeft(23) }

    var digest: [UInt8] { [UInt8](words: v, littleEndian: false) }
}
