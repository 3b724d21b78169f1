import Foundation
import BiliupValues

/// The keys of an upload template (`biliup.template "x" { ... }` in main.lua, or a template of the API)
/// and their rules, in one place so that main.lua and the API refuse the same mistakes with the same words.
public enum UploadTemplateFields {
    public static let keys = [
        "account", "title", "tid", "tags", "desc", "cover", "copyright", "source", "dynamic", "dtime", "no_reprint",
        "up_close_danmu", "up_close_reply", "up_selection_reply", "extra_fields", "submit", "line", "after_upload",
    ]
    public static let submitModes = ["app", "web"]
    /// UPOS lines by name (reference §4.1); "auto" probes them and takes the fastest.
    public static let lines = ["auto", "bldsa", "cnbldsa", "andsa", "atdsa", "bda2", "bda", "cnbd", "anbd", "atbd",
                               "tx", "cntx", "antx", "attx", "txa", "alia", "estx", "akbd"]
    public static let afterUploadWords = ["keep", "delete"]

    /// One mistake in a template: the key at fault and what is wrong, worded to follow "key: ".
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public let key: String
        public let message: String
        public var description: String { "\(key): \(message)" }
    }

    /// Every mistake in `fields`; empty when the template can be used.
    public static func problems(in fields: [String: JSONValue]) -> [Problem] {
        var found: [Problem] = []
        func fail(_ key: String, _ message: String) { found.append(Problem(key: key, message: message)) }
        for key in fields.keys.sorted() where !keys.contains(key) {
            fail(key, "unknown option\(EditDistance.hint(for: key, among: keys))")
        }
        for key in ["account", "title", "desc", "cover", "source", "dynamic"] {
            if let v = fields[key], !v.isString { fail(key, "expected a string, got \(describe(v))") }
        }
        if case .string(let title)? = fields["title"], title.trimmingCharacters(in: .whitespaces).isEmpty {
            fail("title", "must not be empty")
        }
        if case .string(let account)? = fields["account"], account.isEmpty { fail("account", "must name an account (biliup accounts lists them)") }
        if fields["account"] != nil {
            // A template that uploads must say what: Bilibili refuses an archive without them.
            if fields["title"] == nil { fail("title", "is missing; a template with an account needs title and tid") }
            if fields["tid"] == nil { fail("tid", "is missing; a template with an account needs title and tid") }
        }
        if let v = fields["tid"], !v.isPositiveInteger { fail("tid", "expected the category's number (an integer such as 171), got \(describe(v))") }
        if let v = fields["dtime"], !v.isPositiveInteger { fail("dtime", "expected unix seconds (an integer), got \(describe(v))") }
        if let v = fields["tags"] {
            switch v {
            case .string: break
            case .array(let items) where items.allSatisfy(\.isString): break
            case .object(let o) where o.isEmpty: break
            default: fail("tags", "expected a list of strings, got \(describe(v))")
            }
        }
        var copyright = 1
        if let v = fields["copyright"] {
            if case .int(let n) = v, n == 1 || n == 2 { copyright = Int(n) } else {
                fail("copyright", "expected 1 (made by you) or 2 (reposted), got \(describe(v))")
            }
        }
        if copyright == 2 {
            if case .string(let s)? = fields["source"], !s.isEmpty {} else { fail("source", "is required when copyright is 2 (reposted): where it comes from") }
        }
        for key in ["no_reprint", "up_close_danmu", "up_close_reply", "up_selection_reply"] {
            guard let v = fields[key] else { continue }
            switch v {
            case .bool: break
            case .int(let n) where n == 0 || n == 1: break
            default: fail(key, "expected true or false, got \(describe(v))")
            }
        }
        if let v = fields["extra_fields"] {
            if case .object = v {} else if case .array(let a) = v, a.isEmpty {} else {
                fail("extra_fields", "expected a table of submission fields, got \(describe(v))")
            }
        }
        if let v = fields["submit"] { checkWord(v, "submit", among: submitModes, &found) }
        if let v = fields["line"] { checkWord(v, "line", among: lines, &found) }
        if let v = fields["after_upload"] {
            switch v {
            case .string: checkWord(v, "after_upload", among: afterUploadWords, &found)
            case .object(let o):
                let unknown = o.keys.sorted().filter { $0 != "move" }
                for key in unknown { fail("after_upload", "unknown option \"\(key)\"\(EditDistance.hint(for: key, among: ["move"]))") }
                if case .string(let dir)? = o["move"], !dir.isEmpty {} else if unknown.isEmpty {
                    fail("after_upload", "expected { move = \"DIR\" } with a folder, got \(describe(v))")
                }
            default: fail("after_upload", "expected \"keep\", \"delete\" or { move = \"DIR\" }, got \(describe(v))")
            }
        }
        return found
    }

    private static func checkWord(_ v: JSONValue, _ key: String, among words: [String], _ found: inout [Problem]) {
        guard case .string(let s) = v else {
            found.append(Problem(key: key, message: "expected one of \(words.joined(separator: ", ")), got \(describe(v))"))
            return
        }
        guard !words.contains(s) else { return }
        let hint = EditDistance.hint(for: s, among: words)
        found.append(Problem(key: key, message: "\"\(s)\" is not one of \(words.joined(separator: ", "))\(hint)"))
    }

    static func describe(_ v: JSONValue) -> String { OrchestrationReader.describe(v) }
}

private extension JSONValue {
    var isString: Bool { if case .string = self { true } else { false } }

    var isPositiveInteger: Bool {
        switch self {
        case .int(let n): n > 0
        case .number(let d): d > 0 && d == d.rounded() && d < 9e15
        default: false
        }
    }
}
