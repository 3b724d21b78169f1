/// MD5 (RFC 1321). Broken for collision resistance, but sites still sign requests with it.
struct MD5: BlockCompression {
    static let lengthIsLittleEndian = true

    private var a: UInt32 = 0x6745_2301
    private var b: UInt32 = 0xefcd_ab89
    private var c: UInt32 = 0x98ba_dcfe
    private var d: UInt32 = 0x1032_5476

    /// floor(abs(sin(i + 1)) * 2^32).
    private static let constants: [UInt32] = [
        0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee, 0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
        0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be, 0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
        0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa, 0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
        0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed, 0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
        0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c, 0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
        0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05, 0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
        0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039, 0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
        0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1, 0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
    ]

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    mutating func compress(_ blocks: UnsafeRawBufferPointer) {
        Self.constants.withUnsafeBufferPointer { k in
            Self.shifts.withUnsafeBufferPointer { s in
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { m in
                    for offset in stride(from: 0, to: blocks.count, by: 64) {
                        let block = UnsafeRawBufferPointer(rebasing: blocks[offset..<offset + 64])
                        for i in 0..<16 { m[i] = block.littleEndianWord(at: i) }
                        compressBlock(m, k, s)
                    }
                }
            }
        }
    }

    @inline(__always)
    private mutating func compressBlock(_ m: UnsafeMutableBufferPointer<UInt32>, _ k: UnsafeBufferPointer<UInt32>,
                                        _ s: UnsafeBufferPointer<UInt32>) {
        var (a, b, c, d) = (self.a, self.b, self.c, self.d)
        @inline(__always) func step(_ i: Int, _ f: UInt32, _ g: Int) {
            let sum = a &+ f &+ k[i] &+ m[g]
            (a, d, c) = (d, c, b)
            b = b &+ sum.rotatedLeft(s[i])
        }
        // Four rounds of sixteen steps, each with its own mixing function and message word order.
        for i in 0..<16 { step(i, (b & c) | (~b & d), i) }
        for i in 16..<32 { step(i, (d & b) | (~d & c), (5 &* i &+ 1) & 15) }
        for i in 32..<48 { step(i, b ^ c ^ d, (3 &* i &+ 5) & 15) }
        for i in 48..<64 { step(i, c ^ (b | ~d), (7 &* i) & 15) }
        self.a &+= a
        self.b &+= b
        self.c &+= c
        self.d &+= d
    }

    var digest: [UInt8] { [UInt8](words: [a, b, c, d], littleEndian: true) }
}
