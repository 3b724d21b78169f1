import BiliupScript
import BiliupValues
import Foundation

/// A biliup streamer's upload fields (or a row of its `uploadstreamers`) as our template's fields
/// (UploadTemplateFields). As biliup does, a template exists only when an upload field is set.
struct TemplateConversion {
    /// biliup's upload keys (reference §2.2 and §6.3).
    static let keys = ["title", "tid", "copyright", "copyright_source", "cover_path", "description", "credits", "dynamic", "dtime",
                       "dolby", "hires", "charging_pay", "open_elec", "no_reprint", "up_selection_reply", "up_close_reply",
                       "up_close_danmu", "is_only_self", "user_cookie", "tags", "extra_fields", "template_name", "lines", "submit_api"]
    /// Keys with the same meaning under another name here.
    static let renamed = ["copyright_source": "source", "cover_path": "cover", "description": "desc"]
    static let dropped = [
        "credits": "the @-mentions of biliup are not sent when submitting (biliup does not send them either)",
        "dolby": "Dolby audio is not a submission option here",
        "hires": "Hi-Res audio is not a submission option here",
        "charging_pay": "the charging panel is not a submission option here",
        "open_elec": "the charging panel is not a submission option here",
        "is_only_self": "private archives are not a submission option here",
    ]
    /// biliup's category when none is given.
    static let defaultTid: Int64 = 171

    let key: String
    let defaultCookieFile: String
    let line: String?
    let submit: String?
    let urls: [String]
    private(set) var notes: [ImportNote] = []
    private(set) var account: ImportedAccount?

    init(key: String, defaultCookieFile: String, line: String?, submit: String?, urls: [String]) {
        self.key = key
        self.defaultCookieFile = defaultCookieFile
        self.line = line
        self.submit = submit
        self.urls = urls
    }

    /// Our account name for a cookies.json: its file name without extension ("data/123.json" → "123").
    static func accountName(cookieFile: String) -> String {
        let stem = ((cookieFile as NSString).lastPathComponent as NSString).deletingPathExtension
        return stem.isEmpty ? "cookies" : stem
    }

    private mutating func note(_ k: String, _ reason: String) { notes.append(ImportNote(key: "\(key).\(k)", reason: reason)) }

    /// The template's fields, or nil when `source` sets no upload field.
    mutating func fields(from source: [String: JSONValue]) -> [String: JSONValue]? {
        let set = source.filter { Self.keys.contains($0.key) && $0.value != .null && $0.key != "template_name" }
        guard !set.isEmpty else { return nil }
        var fields: [String: JSONValue] = [:]
        for (k, v) in set.sorted(by: { $0.key < $1.key }) {
            if let reason = Self.dropped[k] {
                if ImportValues.flag(v) != false && v != .string("") && v != .array([]) { note(k, reason) }
                continue
            }
            let ours = Self.renamed[k] ?? k
            switch k {
            case "title", "description", "dynamic", "cover_path", "copyright_source":
                guard case .string(let s) = v else { note(k, "expected text, got \(ImportValues.describe(v))"); continue }
                if !s.isEmpty { fields[ours] = .string(s) }
            case "tid":
                if let n = ImportValues.integer(v), n > 0 { fields["tid"] = .int(n) } else { note(k, "expected a category number, got \(ImportValues.describe(v))") }
            case "copyright":
                if let n = ImportValues.integer(v), n == 1 || n == 2 { fields["copyright"] = .int(n) } else { note(k, "expected 1 or 2, got \(ImportValues.describe(v))") }
            case "dtime":
                // Bilibili takes a unix time; biliup's sample's relative seconds ("14_400") were Python's.
                if let n = ImportValues.integer(v), n >= 1_000_000_000 { fields["dtime"] = .int(n) } else if ImportValues.integer(v) != 0 {
                    note(k, "\(ImportValues.describe(v)) is not a unix time (Bilibili needs one, at least 4 hours ahead)")
                }
            case "no_reprint", "up_selection_reply", "up_close_reply", "up_close_danmu":
                if let b = ImportValues.flag(v) { fields[k] = .bool(b) } else { note(k, "expected 0/1 or true/false, got \(ImportValues.describe(v))") }
            case "tags":
                if let tags = ImportValues.strings(ImportValues.json(v) ?? v) { fields["tags"] = .array(tags.map(JSONValue.string)) } else {
                    note(k, "expected a list of tags")
                }
            case "extra_fields":
                guard v != .string("") else { continue }
                if case .object(let o)? = ImportValues.json(v) { fields["extra_fields"] = .object(o) } else {
                    note(k, "expected a JSON object such as {\"watermark\":{\"state\":0}}, got \(ImportValues.describe(v))")
                }
            case "user_cookie":
                guard case .string(let s) = v, !s.isEmpty else { continue }
                account = ImportedAccount(name: Self.accountName(cookieFile: s), cookieFile: s)
            case "lines":
                if case .string(let s) = v, UploadTemplateFields.lines.contains(s.lowercased()) { fields["line"] = .string(s.lowercased()) } else {
                    note(k, "\(ImportValues.describe(v)) is not one of our upload lines")
                }
            case "submit_api":
                if case .string(let s) = v, ["app", "client", "web"].contains(s.lowercased()) {
                    fields["submit"] = .string(s.lowercased() == "web" ? "web" : "app")
                } else {
                    note(k, "\(ImportValues.describe(v)): only app and web submission exist here")
                }
            default: continue
            }
        }
        // biliup uploads as cookies.json (or [user] bili_cookie_file) when no user_cookie is given.
        let account = account ?? ImportedAccount(name: Self.accountName(cookieFile: defaultCookieFile), cookieFile: defaultCookieFile)
        self.account = account
        fields["account"] = .string(account.name)
        if fields["line"] == nil, let line { fields["line"] = .string(line) }
        if fields["submit"] == nil, let submit { fields["submit"] = .string(submit) }
        if fields["tid"] == nil { fields["tid"] = .int(Self.defaultTid) }
        if fields["title"] == nil {
            fields["title"] = .string("{title}")
            note("title", "not set; the archive is titled like the broadcast ({title}); change it in the template")
        }
        // A repost without a source is credited to the live room, as biliup does.
        if fields["copyright"] == .int(2), fields["source"] == nil, let url = urls.first { fields["source"] = .string(url) }
        return fields
    }
}
