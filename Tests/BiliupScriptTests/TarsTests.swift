import BiliupValues
import BiliupScript
import Testing

@Suite struct TarsTests {
    /// One field of every kind, in ascending tag order, with the bytes the Tars spec gives for each: a head
    /// byte (tag << 4 | type, or 0xF0 | type and a tag byte from tag 15 on) and a big-endian value.
    static let sample: [(Int, TarsValue)] = [
        (0, .int(0)), (1, .int(3)), (2, .int(300)), (3, .int(70000)), (4, .int(-1)), (5, .string("liveui")),
        (6, .bytes([1, 2])), (7, .list([.int(1), .string("a")])), (8, .map([(.string("k"), .int(5))])),
        (9, .structure([(0, .int(7))])), (10, .int(1 << 40)), (15, .float(1)), (20, .double(1.5)),
    ]
    static let sampleBytes: [UInt8] = [
        0x0c,  // tag 0, zero
        0x10, 0x03,  // tag 1, int8
        0x21, 0x01, 0x2c,  // tag 2, int16
        0x32, 0x00, 0x01, 0x11, 0x70,  // tag 3, int32
        0x40, 0xff,  // tag 4, int8 -1
        0x56, 0x06] + Array("liveui".utf8) + [  // tag 5, string1
        0x6d, 0x00, 0x00, 0x02, 0x01, 0x02,  // tag 6, simple list: byte element head, length 2 as int8
        0x79, 0x00, 0x02, 0x00, 0x01, 0x06, 0x01, UInt8(ascii: "a"),  // tag 7, list: count, elements at tag 0
        0x88, 0x00, 0x01, 0x06, 0x01, UInt8(ascii: "k"), 0x10, 0x05,  // tag 8, map: count, key tag 0, value tag 1
        0x9a, 0x00, 0x07, 0x0b,  // tag 9, struct begin, field, struct end
        0xa3, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,  // tag 10, int64
        0xf4, 0x0f, 0x3f, 0x80, 0x00, 0x00,  // tag 15, float
        0xf5, 0x14, 0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // tag 20, double
    ]

    @Test func encodesTheSpecBytes() throws {
        #expect(Tars.encode(Self.sample) == Self.sampleBytes)
        try expectEqual(try Tars.decode(Self.sampleBytes), Self.sample)
    }

    @Test func integersTakeTheSmallestWidth() throws {
        let widths: [(Int64, [UInt8])] = [
            (0, [0x0c]), (127, [0x00, 0x7f]), (-128, [0x00, 0x80]), (128, [0x01, 0x00, 0x80]),
            (-129, [0x01, 0xff, 0x7f]), (32767, [0x01, 0x7f, 0xff]), (32768, [0x02, 0x00, 0x00, 0x80, 0x00]),
            (Int64(Int32.min), [0x02, 0x80, 0x00, 0x00, 0x00]),
            (Int64(Int32.max) + 1, [0x03, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00]),
            (.min, [0x03, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
        ]
        for (value, bytes) in widths {
            #expect(Tars.encode([(0, .int(value))]) == bytes, "\(value)")
            #expect(try Tars.decode(bytes).first?.1 == .int(value), "\(value)")
        }
    }

    @Test func everyTypeRoundTrips() throws {
        let long = String(repeating: "x", count: 300)
        let fields: [(Int, TarsValue)] = [
            (0, .int(.max)), (1, .int(.min)), (2, .float(-0.25)), (3, .double(.pi)), (4, .string("")),
            (5, .string(long)), (6, .string([0xff, 0x00, 0x80])), (7, .bytes([])), (8, .bytes(Array(0...255))),
            (9, .list([])), (10, .map([])), (11, .structure([])),
            (12, .list([.list([.int(1)]), .map([(.int(1), .list([.string("v")]))]), .structure([(255, .int(-5))])])),
            (13, .map([(.string("a"), .structure([(1, .bytes([9]))])), (.string("a"), .double(0))])),
            (14, .float(.infinity)), (15, .int(15)), (254, .string("tail")), (255, .int(255)),
        ]
        let encoded = Tars.encode(fields)
        try expectEqual(try Tars.decode(encoded), fields)
        #expect(Array(encoded[encoded.firstIndex(of: 0x57)!...].prefix(5)) == [0x57, 0x00, 0x00, 0x01, 0x2c])
        #expect(try Tars.decode(Tars.encode([(0, .string(long))])).first?.1.text == long)
    }

    @Test func stringsKeepTheirBytes() throws {
        #expect(TarsValue.string("liveui") == .string(Array("liveui".utf8)))
        #expect(TarsValue.string("liveui").text == "liveui")
        #expect(TarsValue.string([0xff]).text == nil)
        #expect(TarsValue.bytes(Array("a".utf8)).text == nil)
        #expect(TarsValue.string("a") != .bytes(Array("a".utf8)))
    }

    @Test func fieldsAreWrittenInTagOrder() throws {
        let shuffled: [(Int, TarsValue)] = [(3, .int(3)), (1, .string("b")), (1, .string("a")), (0, .int(0))]
        let nested = Tars.encode([(0, .structure(shuffled))])
        try expectEqual(try Tars.decode(Tars.encode(shuffled)),
                        [(0, .int(0)), (1, .string("b")), (1, .string("a")), (3, .int(3))])
        #expect(try Tars.decode(nested).first?.1 == .structure([(0, .int(0)), (1, .string("b")), (1, .string("a")),
                                                                (3, .int(3))]))
    }

    // MARK: - Malformed input

    @Test func everyTruncationThrows() throws {
        // Inside a struct, no prefix ends on a field boundary, so each must fail.
        let whole = Tars.encode([(0, .structure(Self.sample))])
        for length in 1..<whole.count {
            #expect(throws: TarsDecodingError.self, "prefix \(length)") { try Tars.decode(Array(whole.prefix(length))) }
        }
        #expect(try Tars.decode([]).isEmpty)
    }

    @Test func truncationSaysWhere() {
        let error = #expect(throws: TarsDecodingError.self) { try Tars.decode([0x56, 0x06] + Array("l".utf8)) }
        #expect(error?.offset == 2)
        #expect(error?.description == "Tars: at byte 2: input ends 5 bytes short")
    }

    @Test func malformedInputThrows() {
        let cases: [(String, [UInt8])] = [
            ("unknown type 14", [0x0e]),
            ("STRUCT_END at the top", [0x0b]),
            ("STRUCT_END as a list element", [0x09, 0x00, 0x01, 0x0b]),
            ("negative list count", [0x09, 0x00, 0xff]),
            ("list count beyond the input", [0x09, 0x02, 0x7f, 0xff, 0xff, 0xff, 0x0c]),
            ("map count beyond the input", [0x08, 0x00, 0x01, 0x0c]),
            ("list count that is a string", [0x09, 0x06, 0x00]),
            ("list count at tag 1", [0x09, 0x10, 0x01, 0x0c]),
            ("list element at tag 1", [0x09, 0x00, 0x01, 0x1c]),
            ("map value at tag 0", [0x08, 0x00, 0x01, 0x0c, 0x0c]),
            ("string4 longer than the input", [0x07, 0xff, 0xff, 0xff, 0xff, 0x41]),
            ("simple list of int16", [0x0d, 0x01, 0x00, 0x01, 0x00, 0x00]),
            ("simple list longer than the input", [0x0d, 0x00, 0x00, 0x05, 0x01]),
            ("head with tag byte missing", [0xf0]),
        ]
        for (name, bytes) in cases {
            #expect(throws: TarsDecodingError.self, "\(name)") { try Tars.decode(bytes) }
        }
    }

    @Test func nestingIsLimited() throws {
        func nested(_ depth: Int) -> [UInt8] {
            Array(repeating: 0x0a, count: depth) + Array(repeating: 0x0b, count: depth)
        }
        #expect(try Tars.decode(nested(Tars.maxNestingDepth)).count == 1)
        let error = #expect(throws: TarsDecodingError.self) { try Tars.decode(nested(Tars.maxNestingDepth + 1)) }
        #expect(error?.reason.contains("nested") == true)
        // Lists nest too, and a hostile input need not close anything.
        let lists = Array(repeating: [0x09, 0x00, 0x01] as [UInt8], count: 10_000).flatMap { $0 }
        #expect(throws: TarsDecodingError.self) { try Tars.decode(lists) }
    }

    @Test func corruptedInputNeverTraps() {
        // A decoder that read past the end or trusted a length would crash here rather than throw.
        let valid = Tars.encode([(0, .structure(Self.sample))])
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = generator.next()
            }
            _ = try? Tars.decode(bytes)
            _ = try? Tars.decode((0..<Int.random(in: 0...32, using: &generator)).map { _ in generator.next() })
        }
    }
}

/// Field lists are arrays of tuples, which are not Equatable; compare them as the structs they are.
private func expectEqual(_ actual: [(Int, TarsValue)], _ expected: [(Int, TarsValue)],
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(TarsValue.structure(actual) == .structure(expected), sourceLocation: sourceLocation)
}
