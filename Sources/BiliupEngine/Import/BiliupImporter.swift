import BiliupStore
import BiliupUpload
import Foundation

/// `biliup import`: biliup's config file → a main.lua, or biliup's server database → our store (and,
/// with an output file, a main.lua of its global options and processors). Accounts go to the store in
/// both cases. Returns what it did, line by line, for the command to print.
public struct BiliupImporter: Sendable {
    public var source: String
    /// Where main.lua is written; nil for a database import without `-o`.
    public var output: String?
    public var dataDir: String
    public var dryRun: Bool
    /// Replace an existing output file.
    public var force: Bool
    public var client: BilibiliClient

    public init(source: String, output: String?, dataDir: String, dryRun: Bool, force: Bool, client: BilibiliClient) {
        self.source = source
        self.output = output
        self.dataDir = dataDir
        self.dryRun = dryRun
        self.force = force
        self.client = client
    }

    public struct Report: Sendable {
        public var lines: [String] = []
        public var notes: [ImportNote] = []
    }

    public func run() async throws -> Report {
        let isDatabase = BiliupServerDatabase.isDatabase(source)
        let plan = isDatabase ? BiliupConfigConversion.plan(from: try BiliupServerDatabase.read(source))
            : BiliupConfigConversion.plan(from: try BiliupConfigFile.read(source))
        var report = Report(notes: plan.notes)
        // Relative cookie files are where biliup ran: beside the config, or above data/ of the database.
        let sourceFolder = ((source as NSString).standardizingPath as NSString).deletingLastPathComponent
        let base = isDatabase ? (sourceFolder as NSString).deletingLastPathComponent : sourceFolder
        let target = output ?? (isDatabase ? nil : "main.lua")
        if let target {
            // From a database the streamers and templates go to the store; main.lua has the global options and the processors.
            report.lines.append(try await write(plan, to: target, declaringStreamers: !isDatabase))
        } else if plan.streamers.contains(where: { !$0.hooks.isEmpty }) {
            report.notes += plan.streamers.flatMap { s in
                s.hooks.map { ImportNote(key: "livestreamers.\(BiliupConfigConversion.quoted(s.name)).\($0.source)",
                                         reason: "processors are main.lua hooks; add -o main.lua to write them there") }
            }
        }
        // A config file without cookie files needs no store: none is created for it.
        guard isDatabase || !plan.accounts.isEmpty else { return report }
        let store = try openStore()
        defer { try? store.store.close(); if let temporary = store.temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        let importer = StoreImport(store: store.store, dryRun: dryRun)
        if isDatabase {
            report.lines += try importer.templates(plan.templates).map(\.description)
            report.lines += try importer.streamers(plan.streamers).map(\.description)
        }
        let book = AccountBook(store: store.store, client: client)
        report.lines += try await importer.accounts(plan.accounts, base: base, book: book).map(\.description)
        return report
    }

    /// Writes main.lua after loading it as `biliup run` would; an existing file is kept unless `force`.
    private func write(_ plan: ImportPlan, to path: String, declaringStreamers: Bool) async throws -> String {
        let text = MainLuaWriter.text(plan, source: (source as NSString).lastPathComponent, dataDir: dataDir, declaringStreamers: declaringStreamers)
        let what = declaringStreamers ? "\(plan.streamers.count) streamer(s), \(plan.templates.count) template(s), \(plan.streamers.reduce(0) { $0 + $1.hooks.count }) hook(s)"
            : "global options and \(plan.streamers.reduce(0) { $0 + $1.hooks.count }) hook(s)"
        if FileManager.default.fileExists(atPath: path), !force {
            return "skipped \(path): it exists (--force replaces it); it would hold \(what)"
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-import-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let candidate = (folder as NSString).appendingPathComponent((path as NSString).lastPathComponent)
        try Data(text.utf8).write(to: URL(fileURLWithPath: candidate))
        if case .failure(let error) = await MainLuaCheck.load(candidate) {
            throw ImportError(file: source, "the main.lua made from it does not load (a fault of biliup import, please report it): \(error)")
        }
        if dryRun { return "would write \(path): \(what)" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        return "wrote \(path): \(what)"
    }

    /// Our store in `dataDir`; for a dry run without one, an empty store in a temporary folder, so that
    /// a dry run creates nothing.
    private func openStore() throws -> (store: Store, temporary: String?) {
        let path = (dataDir as NSString).appendingPathComponent("biliup.sqlite3")
        if dryRun, !FileManager.default.fileExists(atPath: path) {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-import-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            return (try Store(path: (folder as NSString).appendingPathComponent("biliup.sqlite3")), folder)
        }
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        return (try Store(path: path), nil)
    }
}
