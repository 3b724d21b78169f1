import BiliupValues
import Foundation

/// A JSON object as UPOS and preupload answer it. Their numbers come as numbers or strings depending on
/// the endpoint and year, so the accessors accept both.
struct UposAnswer {
    let fields: [String: JSONValue]

    init?(_ body: [UInt8]) {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body)),
              case .object(let fields) = value else { return nil }
        self.fields = fields
    }

    init(fields: [String: JSONValue]) { self.fields = fields }

    func int(_ key: String) -> Int64? { Self.int(fields[key]) }

    func string(_ key: String) -> String? {
        switch fields[key] {
        case .string(let s): s
        case .int(let i): String(i)
        default: nil
        }
    }

    /// Whether `key` is there and not null, false or 0.
    func isSet(_ key: String) -> Bool {
        switch fields[key] {
        case nil, .null?: false
        case .bool(let b)?: b
        case .int(let i)?: i != 0
        default: true
        }
    }

    func object(_ key: String) -> UposAnswer? {
        guard case .object(let o) = fields[key] else { return nil }
        return UposAnswer(fields: o)
    }

    func objects(_ key: String) -> [UposAnswer] {
        guard case .array(let items) = fields[key] else { return [] }
        return items.compactMap { if case .object(let o) = $0 { UposAnswer(fields: o) } else { nil } }
    }

    /// UPOS's success flag: `OK: 1`.
    var isOK: Bool { int("OK") == 1 }

    private static func int(_ value: JSONValue?) -> Int64? {
        switch value {
        case .int(let i): i
        case .number(let d): Int64(exactly: d)
        case .string(let s): Int64(s)
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }
}
