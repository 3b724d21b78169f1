/// A plain value crossing between Swift and Lua: plugin options, danmaku parameters, hook arguments.
/// Its JSON form is the obvious one, so it prints in `biliup check --json` and travels through the API.
public enum ScriptValue: Sendable, Equatable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ScriptValue])
    case object([String: ScriptValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([ScriptValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: ScriptValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Parses a command-line `--opt` value: integers, numbers, true/false stay typed, anything else is a string.
    public static func parsing(_ text: String) -> ScriptValue {
        if let i = Int(text) { return .int(i) }
        if let d = Double(text), text.contains(".") { return .double(d) }
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        return .string(text)
    }

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        case .array(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .object(let o): return "{" + o.keys.sorted().map { "\($0) = \(o[$0]!)" }.joined(separator: ", ") + "}"
        }
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
}
