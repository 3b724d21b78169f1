import BiliupValues
import Foundation

/// Values written as Lua source: strings escaped so that any text of the source stays one string
/// literal, keys as names where Lua allows it.
enum LuaLiteral {
    static let keywords: Set<String> = ["and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
                                        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"]

    static func string(_ s: String) -> String {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), byte]
            case UInt8(ascii: "\n"): out += Array("\\n".utf8)
            case UInt8(ascii: "\r"): out += Array("\\r".utf8)
            case UInt8(ascii: "\t"): out += Array("\\t".utf8)
            case 0..<0x20, 0x7f: out += Array(String(format: "\\%03d", byte).utf8)
            default: out.append(byte)  // UTF-8 text goes through as it is
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    static func key(_ k: String) -> String {
        let identifier = k.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
            && k.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return identifier && !keywords.contains(k) ? k : "[\(string(k))]"
    }

    static func value(_ v: JSONValue) -> String {
        switch v {
        case .null: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .int(let n): return String(n)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .string(let s): return string(s)
        case .array(let items): return "{ " + items.map(value).joined(separator: ", ") + " }"
        case .object(let o):
            if o.isEmpty { return "{}" }
            return "{ " + o.keys.sorted().map { "\(key($0)) = \(value(o[$0]!))" }.joined(separator: ", ") + " }"
        }
    }

    static func number(_ d: Double) -> String { value(.number(d)) }
}
