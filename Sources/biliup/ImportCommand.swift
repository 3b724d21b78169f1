import ArgumentParser
import BiliupEngine
import BiliupNet
import BiliupUpload
import Foundation

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Move over from biliup: its config.toml/config.yaml → a main.lua, its data/data.sqlite3 → this store.",
        discussion: """
            FILE is biliup's config file (config.toml or config.yaml) or its server's database (data/data.sqlite3 \
            of biliup 1.x, recognised by its content).

            A config file becomes a commented main.lua (-o, default main.lua) that `biliup run` reads as it is: \
            its streamers with their URLs, file names, formats, splits, delays, excluded keywords and time \
            ranges; one upload template per streamer that sets upload fields; the platform options as plugin \
            options; the postprocessor (and pre-, segment and downloaded processor) steps run/mv/rm as hooks. \
            The file is loaded as `biliup run` would before it is written.

            A database becomes streamers and templates of this store (DATA_DIR/biliup.sqlite3), as if added \
            through the API; with -o, a main.lua of its global options and processors is written too. Stop \
            a running `biliup server` first, or restart it afterwards.

            Either way, biliup's cookie files (user_cookie, [user] bili_cookie_file, the database's \
            bilibili-cookies) are checked with Bilibili and stored as accounts named after the file \
            (data/123.json → 123).

            Every key that is not carried over is printed with the reason (and listed at the top of main.lua). \
            Running it twice creates nothing twice: an existing main.lua is kept unless --force, and streamers \
            (by name or URL), templates and accounts (by name) that exist are skipped and said so. A file that \
            does not parse is reported as FILE:LINE.
            """)

    @Argument(help: ArgumentHelp("biliup's config.toml, config.yaml, or data/data.sqlite3.", valueName: "FILE")) var file: String
    @Option(name: .shortAndLong, help: ArgumentHelp("The main.lua to write (default main.lua for a config file; none for a database).", valueName: "PATH"))
    var output: String?
    @Flag(help: "Print what would be created; write and store nothing.") var dryRun = false
    @Flag(help: "Replace an existing output file.") var force = false
    @OptionGroup var account: AccountStoreOptions

    func run() throws {
        let importer = BiliupImporter(source: file, output: output, dataDir: account.dataDirectory, dryRun: dryRun, force: force,
                                      client: BilibiliClient(remap: (try? account.remap()) ?? HostRemap(), proxy: account.proxy))
        let outcome = blocking { () async -> Result<BiliupImporter.Report, any Error> in
            do { return .success(try await importer.run()) } catch { return .failure(error) }
        }
        let report: BiliupImporter.Report
        switch outcome {
        case .success(let r): report = r
        case .failure(let error): throw fail("\(error)")
        }
        for line in report.lines { print(line) }
        if report.notes.isEmpty {
            print("every key was carried over")
        } else {
            print("not carried over (\(report.notes.count)):")
            for note in report.notes { print("  \(note)") }
        }
    }
}
