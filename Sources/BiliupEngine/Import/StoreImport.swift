import BiliupScript
import BiliupStore
import BiliupUpload
import BiliupValues
import Foundation

/// Saves an `ImportPlan`'s templates, streamers and accounts in our store, as the API would create
/// them (origin `api`, the API's validation). What exists already (a template or account of the same
/// name, a streamer of the same name or URL) is skipped, so running an import twice creates nothing twice.
public struct StoreImport {
    public enum Outcome: Sendable, Equatable {
        case created
        /// `dryRun`: would be created.
        case wouldCreate
        case skipped(String)
        case failed(String)
    }

    public struct Line: Sendable, Equatable, CustomStringConvertible {
        public var what: String
        public var outcome: Outcome

        public var description: String {
            switch outcome {
            case .created: "created \(what)"
            case .wouldCreate: "would create \(what)"
            case .skipped(let why): "skipped \(what): \(why)"
            case .failed(let why): "not created \(what): \(why)"
            }
        }
    }

    let store: Store
    let dryRun: Bool

    public init(store: Store, dryRun: Bool) {
        self.store = store
        self.dryRun = dryRun
    }

    public func templates(_ templates: [ImportedTemplate]) throws -> [Line] {
        try templates.map { t in
            let what = "template '\(t.name)'"
            if try store.template(named: t.name) != nil { return Line(what: what, outcome: .skipped("a template of that name exists")) }
            let problems = UploadTemplateFields.problems(in: t.fields)
            if !problems.isEmpty { return Line(what: what, outcome: .failed(problems.map(\.description).joined(separator: "; "))) }
            if dryRun { return Line(what: what, outcome: .wouldCreate) }
            _ = try store.saveTemplate(TemplateRecord(name: t.name, origin: .api, fields: t.fields))
            return Line(what: what, outcome: .created)
        }
    }

    public func streamers(_ streamers: [ImportedStreamer]) throws -> [Line] {
        var existing = try store.streamers()
        return try streamers.map { s in
            let what = "streamer '\(s.name)'"
            if existing.contains(where: { $0.name == s.name }) { return Line(what: what, outcome: .skipped("a streamer of that name exists")) }
            if let other = existing.first(where: { !Set($0.urls).isDisjoint(with: s.urls) }) {
                return Line(what: what, outcome: .skipped("streamer '\(other.name)' watches \(Set(other.urls).intersection(s.urls).sorted().joined(separator: ", "))"))
            }
            var record: StreamerRecord
            do throws(EngineError) {
                record = try StreamerValidation.normalised(Self.record(s))
            } catch {
                return Line(what: what, outcome: .failed(error.message))
            }
            if dryRun { return Line(what: what, outcome: .wouldCreate) }
            record = try store.saveStreamer(record)
            existing.append(record)
            return Line(what: what, outcome: .created)
        }
    }

    /// The streamer as the API stores it (overrides under the store's names).
    static func record(_ s: ImportedStreamer) -> StreamerRecord {
        var overrides: [String: JSONValue] = [:]
        let r = s.recording
        if let v = r.output { overrides["output"] = .string(v) }
        if let v = r.format { overrides["format"] = .string(v) }
        if let v = r.splitSeconds { overrides["split_time"] = .number(v) }
        if let v = r.splitBytes { overrides["split_size"] = .int(v) }
        if let v = r.checkInterval { overrides["check_interval"] = .number(v) }
        if let v = r.delay { overrides["delay"] = .number(v) }
        if let v = r.minSegmentBytes { overrides["min_segment_size"] = .int(v) }
        return StreamerRecord(name: s.name, urls: s.urls, origin: .api, options: s.options, template: s.template, schedule: s.schedule,
                              titleExclude: s.titleExclude, overrides: overrides, danmaku: s.danmaku, danmakuDetail: s.danmakuDetail)
    }

    /// Checks each cookie file with Bilibili and stores it as its account (AccountBook, as `biliup login
    /// --cookie-file` does). `base` is the folder relative cookie paths are read from.
    public func accounts(_ accounts: [ImportedAccount], base: String, book: AccountBook) async throws -> [Line] {
        var lines: [Line] = []
        for account in accounts {
            let what = "account '\(account.name)' from \(account.cookieFile)"
            if try store.account(named: account.name) != nil {
                lines.append(Line(what: what, outcome: .skipped("an account of that name exists")))
                continue
            }
            let path = account.cookieFile.hasPrefix("/") ? account.cookieFile : (base as NSString).appendingPathComponent(account.cookieFile)
            guard let data = FileManager.default.contents(atPath: path) else {
                lines.append(Line(what: what, outcome: .failed("\(path) cannot be read; add it later with `biliup login --cookie-file FILE --name \(account.name)`")))
                continue
            }
            if dryRun {
                lines.append(Line(what: what, outcome: .wouldCreate))
                continue
            }
            do {
                try await book.add(try LoginInfo.reading(data), name: account.name)
                lines.append(Line(what: what, outcome: .created))
            } catch {
                lines.append(Line(what: what, outcome: .failed("\(error); retry with `biliup login --cookie-file \(path) --name \(account.name)`")))
            }
        }
        return lines
    }
}
