import ArgumentParser
import BiliupEngine
import BiliupScript
import BiliupServer
import BiliupStore
import Foundation

struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Serve the HTTP API and web page, and record the streamers added through them (no main.lua).",
        discussion: """
            Listens on 127.0.0.1:19159 unless told otherwise; see docs/api.md for the routes. State is in \
            DATA_DIR/biliup.sqlite3, shared with `biliup run` (streamers a main.lua declared are left alone here). \
            On loopback, a login is needed once a user exists; on any other address the server refuses to \
            start without one (`biliup user add NAME`). Ctrl-C / SIGTERM closes every file and stops.
            """)

    @OptionGroup var script: ScriptOptions
    @OptionGroup var server: ServerOptions
    @Option(name: .customLong("recordings-root"), help: ArgumentHelp(
        "The folder every recording is written below (default ./recordings). The API's `output` templates are relative to it and can never leave it.",
        valueName: "DIR"))
    var recordingsRoot: String?
    @OptionGroup var log: LogOptions

    func validate() throws {
        if server.noServer { throw ValidationError("--no-server: `server` is the server; use `biliup run` to record without it") }
        if let recordingsRoot, recordingsRoot.isEmpty || recordingsRoot.contains("\0") {
            throw ValidationError("--recordings-root: expected a folder")
        }
    }

    func run() throws {
        SignalTrap.blockSignals()  // before any thread starts
        var config = OrchestrationConfig.withoutScript(dataDir: script.dataDirectory)
        if let recordingsRoot { config.global.recordingsRoot = recordingsRoot }
        let store = try openStore(dataDirectory: script.dataDirectory)
        let logger = try log.makeLogger()
        let bus = EventBus()
        bus.attach(EventLog.sink(logger))
        bus.attach(EventSinks.store(store))
        try ServiceRunner(config: config, store: store, plugins: script.makeHost(), bus: bus,
                          serverSettings: server.settings(config.global), logger: logger).run()
    }
}

/// The store of a data directory, or exit 1 with the reason.
func openStore(dataDirectory: String) throws -> Store {
    do {
        return try Store(path: (dataDirectory as NSString).appendingPathComponent("biliup.sqlite3"))
    } catch {
        FileHandle.standardError.write(Data("biliup: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
