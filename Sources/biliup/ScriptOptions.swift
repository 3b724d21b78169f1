import BiliupNet
import ArgumentParser
import BiliupEngine
import BiliupScript
import BiliupValues
import Foundation

/// Options every command that runs plugins shares (`check`, `plugins`, `download`; later `run`, `server`).
struct ScriptOptions: ParsableArguments {
    @Option(name: .customLong("plugin-dir"),
            help: ArgumentHelp("A directory of plugins that override the shipped ones (repeatable; after BILIUP_PLUGIN_PATH).", valueName: "DIR"))
    var pluginDirectories: [String] = []

    @Option(name: .customLong("host-remap"),
            help: ArgumentHelp("Send plugin requests for HOST to BASE_URL instead (repeatable; also BILIUP_HOST_REMAP). See lua/README.md.", valueName: "HOST=BASE_URL"))
    var hostRemaps: [String] = []

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Data directory; plugins in DIR/plugins are loaded too.", valueName: "DIR"))
    var dataDirectory = "data"

    func validate() throws {
        do {
            _ = try remap()
        } catch {
            throw ValidationError(error.description)
        }
    }

    func remap() throws(HostRemapError) -> HostRemap {
        var remap = try HostRemap.environment(ProcessInfo.processInfo.environment["BILIUP_HOST_REMAP"])
        for spec in hostRemaps { try remap.add(spec) }
        return remap
    }

    func makeHost(proxy: String? = nil) -> PluginHost {
        let directories = PluginDirectories.search(dataDirectory: dataDirectory, extra: pluginDirectories)
        return PluginHost(configuration: ScriptConfiguration(pluginDirectories: directories, hostRemap: (try? remap()) ?? HostRemap(),
                                                             proxy: proxy))
    }
}

/// `--opt key=value` pairs as plugin options.
func parsePluginOptions(_ pairs: [String]) throws -> [String: JSONValue] {
    var options: [String: JSONValue] = [:]
    for pair in pairs {
        guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
            throw ValidationError("--opt: \"\(pair)\" is not key=value")
        }
        options[String(pair[..<eq])] = JSONValue.parsing(String(pair[pair.index(after: eq)...]))
    }
    return options
}
