/// Base64 (RFC 4648) with any 64-character alphabet, since some sites (douyin's signatures) shuffle it.
/// Ours because no library takes an alphabet: libcrypto's EVP_EncodeBlock and Foundation know only the
/// standard one (and Foundation's decoder rejects the URL-safe form this one accepts).
public enum Base64 {
    public static let standardAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// `alphabet` must be 64 distinct ASCII characters other than "=".
    public static func encode(_ bytes: [UInt8], alphabet: String = standardAlphabet, padding: Bool = true) -> String {
        let symbols = Array(alphabet.utf8)
        precondition(symbols.count == 64, "a Base64 alphabet has 64 ASCII characters")
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(symbols[Int(group >> 18 & 63)])
            out.append(symbols[Int(group >> 12 & 63)])
            out.append(symbols[Int(group >> 6 & 63)])
            out.append(symbols[Int(group & 63)])
            index += 3
        }
        let remaining = bytes.count - index
        if remaining > 0 {
            let group = UInt32(bytes[index]) << 16 | (remaining == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            out.append(symbols[Int(group >> 18 & 63)])
            out.append(symbols[Int(group >> 12 & 63)])
            if remaining == 2 { out.append(symbols[Int(group >> 6 & 63)]) }
            if padding { out += repeatElement(UInt8(ascii: "="), count: 3 - remaining) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Forgiving, because the text comes from web pages: missing padding is fine, whitespace is skipped,
    /// and with the standard alphabet the URL-safe "-" and "_" count as "+" and "/". Returns nil for any
    /// other character, data after padding, or a length no encoder produces.
    public static func decode(_ text: String, alphabet: String = standardAlphabet) -> [UInt8]? {
        let values = decodingTable(alphabet)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count / 4 * 3 + 2)
        var group: UInt32 = 0
        var symbolCount = 0
        var paddingSeen = false
        for char in text.utf8 {
            switch char {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                continue
            case UInt8(ascii: "="):
                paddingSeen = true
                continue
            default:
                break
            }
            let value = values[Int(char)]
            guard value != invalid, !paddingSeen else { return nil }
            group = group << 6 | UInt32(value)
            symbolCount += 1
            if symbolCount % 4 == 0 {
                out.append(UInt8(truncatingIfNeeded: group >> 16))
                out.append(UInt8(truncatingIfNeeded: group >> 8))
                out.append(UInt8(truncatingIfNeeded: group))
                group = 0
            }
        }
        switch symbolCount % 4 {
        case 0: break
        case 2: out.append(UInt8(truncatingIfNeeded: group >> 4))
        case 3:
            out.append(UInt8(truncatingIfNeeded: group >> 10))
            out.append(UInt8(truncatingIfNeeded: group >> 2))
        default: return nil
        }
        return out
    }

    private static let invalid: UInt8 = 0xff

    private static let standardDecodingTable: [UInt8] = {
        var table = makeDecodingTable(standardAlphabet)
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    private static func decodingTable(_ alphabet: String) -> [UInt8] {
        alphabet == standardAlphabet ? standardDecodingTable : makeDecodingTable(alphabet)
    }

    private static func makeDecodingTable(_ alphabet: String) -> [UInt8] {
        let symbols = Array(alphabet.utf8)
        precondition(symbols.count == 64, "a Base64 alphabet has 64 ASCII characters")
        var table = [UInt8](repeating: invalid, count: 256)
        for (value, symbol) in symbols.enumerated() { table[Int(symbol)] = UInt8(value) }
        return table
    }
}
