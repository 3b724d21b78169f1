import BiliupNet
import ArgumentParser
import BiliupEngine
import BiliupMedia
import BiliupScript
import BiliupStore
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Watch every streamer of an orchestration file and record whoever is live, unattended.",
        discussion: """
            FILE (default scripts/main.lua) declares global options, upload templates, streamers and hooks \
            (see the shipped scripts/main.lua and lua/README.md). State is kept in DATA_DIR/biliup.sqlite3 \
            (data_dir in the file; default ./data). Editing FILE while this runs applies the change: streamers \
            added, removed or changed, recordings of unchanged ones untouched; an edit that does not load is \
            reported and the last good configuration stays. Ctrl-C / SIGTERM finishes every file and saves \
            the state; the next start resumes watching.
            The HTTP API and web page are served on 127.0.0.1:19159 (main.lua's `server = { bind, port }`, or \
            --bind/--port; --no-server turns them off); see docs/api.md.
            A FILE that does not load at start-up stops here with its error (file and line) and exit status 1.
            """)

    @OptionGroup var script: ScriptOptions
    @OptionGroup var server: ServerOptions
    @Argument(help: "The orchestration file.") var file = "scripts/main.lua"
    @OptionGroup var log: LogOptions
    @Option(name: .customLong("reload-interval"), help: "How often FILE is looked at for edits.")
    var reloadInterval = "2s"

    func run() throws {
        SignalTrap.blockSignals()  // before main.lua's VM and the network thread start
        guard let reloadEvery = Units.duration(reloadInterval) else { throw ValidationError("--reload-interval: not a duration") }
        let scriptConfiguration = ScriptConfiguration(pluginDirectories: [], hostRemap: (try? script.remap()) ?? HostRemap())
        let main = MainScript(path: file, configuration: scriptConfiguration,
                              parseDuration: { Units.duration($0)?.seconds }, parseSize: { Units.size($0) },
                              checkOutput: { OutputTemplate.problem(in: $0)?.description }, formats: OutputFormat.allCases.map(\.rawValue),
                              remux: { from, to in
                                  do throws(MediaError) { _ = try Remux.file(from, to: to); return nil } catch { return error.description }
                              })
        let config: OrchestrationConfig
        switch blocking({ await main.load() }) {
        case .failure(let error):
            FileHandle.standardError.write(Data("biliup: \(file): cannot start:\n\(error.message)\n".utf8))
            throw ExitCode(1)
        case .success(let c): config = c
        }
        let store = try openStore(dataDirectory: config.global.dataDir)
        let plugins = PluginHost(configuration: ScriptConfiguration(
            pluginDirectories: PluginDirectories.search(dataDirectory: config.global.dataDir, extra: script.pluginDirectories),
            hostRemap: scriptConfiguration.hostRemap))
        let logger = try log.makeLogger()
        let bus = EventBus()
        bus.attach(EventLog.sink(logger))
        bus.attach(EventSinks.store(store))
        bus.attach(EventSinks.hooks(main))
        logger.info("watching \(config.streamers.count) streamer(s) from \(file); state in \(store.path)")
        let file = self.file
        try ServiceRunner(config: config, store: store, plugins: plugins, bus: bus, serverSettings: server.settings(config.global), logger: logger).run { engine in
            main.attach(engine)
            return Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: reloadEvery)
                    guard let result = await main.reloadIfChanged() else { continue }
                    switch result {
                    case .success(let new):
                        do { try await engine.apply(new) } catch {
                            logger.error("\(file): cannot apply: \(error)")
                        }
                    case .failure(let error):
                        bus.publish(EngineEvent(.config, level: .error, message: "\(file) was edited but does not load; the last good configuration stays:\n\(error.message)"))
                    }
                }
            }
        }
    }
}
