/// SHA-1 (FIPS 180-4).
struct SHA1: BlockCompression {
    static let lengthIsLittleEndian = false

    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0)

    mutating func compress(_ blocks: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            for offset in stride(from: 0, to: blocks.count, by: 64) {
                let block = UnsafeRawBufferPointer(rebasing: blocks[offset..<offset + 64])
                for i in 0..<16 { w[i] = block.bigEndianWord(at: i) }
                for i in 16..<80 { w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotatedLeft(1) }
                compressBlock(w)
            }
        }
    }

    @inline(__always)
    private mutating func compressBlock(_ w: UnsafeMutableBufferPointer<UInt32>) {
        var (a, b, c, d, e) = h
        @inline(__always) func step(_ i: Int, _ f: UInt32, _ k: UInt32) {
            let t = a.rotatedLeft(5) &+ f &+ e &+ k &+ w[i]
            (e, d, c, b, a) = (d, c, b.rotatedLeft(30), a, t)
        }
        for i in 0..<20 { step(i, (b & c) | (~b & d), 0x5a82_7999) }
        for i in 20..<40 { step(i, b ^ c ^ d, 0x6ed9_eba1) }
        for i in 40..<60 { step(i, (b & c) | (b & d) | (c & d), 0x8f1b_bcdc) }
        for i in 60..<80 { step(i, b ^ c ^ d, 0xca62_c1d6) }
        h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
    }

    var digest: [UInt8] { [UInt8](words: [h.0, h.1, h.2, h.3, h.4], littleEndian: false) }
}
