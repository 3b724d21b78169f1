import BiliupMedia
import BiliupScript
import Foundation

/// Loads a generated main.lua the way `biliup run` does (its own Lua VM, the same checks), so an
/// import never writes a file that `biliup run` would refuse.
public enum MainLuaCheck {
    public static func load(_ path: String) async -> Result<OrchestrationConfig, ScriptError> {
        let script = MainScript(path: path, configuration: ScriptConfiguration(pluginDirectories: []),
                                parseDuration: { Units.duration($0)?.seconds }, parseSize: { Units.size($0) },
                                checkOutput: { OutputTemplate.problem(in: $0)?.description }, formats: OutputFormat.allCases.map(\.rawValue))
        return await script.load()
    }
}
