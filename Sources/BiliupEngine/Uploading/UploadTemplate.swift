import BiliupScript
import BiliupStore
import BiliupUpload
import BiliupValues
import Foundation

/// A template that uploads (it names an account), read into what the queue needs: where and how to
/// upload, the submission body, and what to do with the files once Bilibili accepted the archive.
/// Its fields passed `UploadTemplateFields` when they were declared or saved.
struct UploadTemplate: Sendable {
    let name: String
    let origin: Origin
    let account: String
    /// nil: "auto" (the uploader probes the lines).
    let line: String?
    let submit: SubmitMode
    let afterUpload: AfterUpload
    let fields: [String: JSONValue]

    /// Bilibili refuses longer titles.
    static let maxTitleCharacters = 80

    /// nil when the template does not upload (no account).
    init?(_ record: TemplateRecord) {
        guard case .string(let account)? = record.fields["account"], !account.isEmpty else { return nil }
        name = record.name
        origin = record.origin
        self.account = account
        fields = record.fields
        if case .string(let l)? = fields["line"], l != "auto" { line = l } else { line = nil }
        if case .string(let s)? = fields["submit"], let mode = SubmitMode(rawValue: s) { submit = mode } else { submit = .app }
        switch fields["after_upload"] {
        case .string("delete")?: afterUpload = .delete
        case .object(let o)?: if case .string(let dir)? = o["move"] { afterUpload = .move(dir) } else { afterUpload = .keep }
        default: afterUpload = .keep
        }
    }

    /// The submission body for a session, parts excluded: title and desc rendered with the session's
    /// streamer, stream title and start time.
    func studio(streamer: String, streamTitle: String?, url: String, startedAt: Date) -> Studio {
        let values = ["streamer": streamer, "title": streamTitle ?? streamer, "url": url]
        let title = ArchiveText.render(string("title") ?? "{streamer} {title}", values: values, at: startedAt)
        var studio = Studio(tid: Int(integer("tid") ?? 171), title: String(title.prefix(Self.maxTitleCharacters)), tag: tags.joined(separator: ","))
        studio.desc = ArchiveText.render(string("desc") ?? "", values: values, at: startedAt)
        studio.cover = string("cover") ?? ""
        studio.copyright = Int(integer("copyright") ?? 1)
        studio.source = string("source") ?? ""
        studio.dynamic = ArchiveText.render(string("dynamic") ?? "", values: values, at: startedAt)
        studio.dtime = integer("dtime")
        studio.noReprint = flag("no_reprint") ? 1 : 0
        studio.upCloseDanmu = flag("up_close_danmu")
        studio.upCloseReply = flag("up_close_reply")
        studio.upSelectionReply = flag("up_selection_reply")
        if case .object(let extra)? = fields["extra_fields"] { studio.extraFields = extra }
        return studio
    }

    private var tags: [String] {
        switch fields["tags"] {
        case .string(let s)?: return [s]
        case .array(let items)?: return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        default: return []
        }
    }

    private func string(_ key: String) -> String? {
        if case .string(let s)? = fields[key] { s } else { nil }
    }

    private func integer(_ key: String) -> Int64? {
        switch fields[key] {
        case .int(let n)?: n
        case .number(let d)?: Int64(exactly: d)
        default: nil
        }
    }

    private func flag(_ key: String) -> Bool {
        switch fields[key] {
        case .bool(let b)?: b
        case .int(let n)?: n != 0
        default: false
        }
    }
}

/// What happens to a session's files once its archive is accepted.
enum AfterUpload: Sendable, Equatable {
    case keep
    case delete
    /// Into this folder: relative to the recordings root, or absolute for main.lua's templates only.
    case move(String)
}
