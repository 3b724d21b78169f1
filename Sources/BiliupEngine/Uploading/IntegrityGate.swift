import BiliupValues

/// Whether a finished segment may go up as it is. A file whose report shows a failed decode check, or
/// a codec that changed inside the file, would be published broken (green frames, a player that stops
/// at the change); such a file is held until a person decides. Remuxing cannot repair either (it
/// copies the same packets), so holding is the only honest answer.
enum IntegrityGate {
    /// Why the segment with this report (the store's JSON form) must not be uploaded; nil: it may.
    static func holdReason(_ report: [String: JSONValue]?) -> String? {
        guard let report else { return nil }
        if case .object(let decode)? = report["decode"], let errors = decode["errors"]?.integer, errors > 0 {
            var why = "the decode check found \(errors) error\(errors == 1 ? "" : "s")"
            if case .string(let first)? = decode["firstError"] { why += " (first: \(first))" }
            return why
        }
        if let change = codecChange(report) { return "the codec changes inside the file (\(change))" }
        return nil
    }

    /// A full probe lists each stream it met; two video (or audio) streams of different codecs in one
    /// file mean the codec changed mid-file. The recorder notes one it could not split at as a gap.
    private static func codecChange(_ report: [String: JSONValue]) -> String? {
        if case .array(let streams)? = report["streams"] {
            var codecs: [String: [String]] = [:]
            for case .object(let s) in streams {
                guard case .string(let kind)? = s["kind"], case .string(let codec)? = s["codec"] else { continue }
                if !(codecs[kind]?.contains(codec) ?? false) { codecs[kind, default: []].append(codec) }
            }
            if let (kind, list) = codecs.sorted(by: { $0.key < $1.key }).first(where: { $0.value.count > 1 }) {
                return "\(kind): \(list.joined(separator: " → "))"
            }
        }
        if case .array(let gaps)? = report["gaps"] {
            for case .object(let g) in gaps {
                if case .string(let what)? = g["what"], what.hasPrefix("codec change") { return what }
            }
        }
        return nil
    }
}

private extension JSONValue {
    var integer: Int64? {
        switch self {
        case .int(let n): n
        case .number(let d): Int64(exactly: d.rounded())
        default: nil
        }
    }
}
