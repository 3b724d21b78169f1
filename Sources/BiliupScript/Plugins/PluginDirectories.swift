import Foundation

/// Where plugins are looked for, lowest priority first (see lua/README.md).
public enum PluginDirectories {
    /// The shipped `lua/plugins`: `$BILIUP_LUA_DIR/plugins`, then next to the executable
    /// (`lua/plugins`, `../share/biliup/lua/plugins`), then the nearest source checkout above it
    /// (a build in `.build/release`), then the working directory.
    public static func shipped(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        var candidates: [String] = []
        if let dir = environment["BILIUP_LUA_DIR"] { candidates.append("\(dir)/plugins") }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(exe.appendingPathComponent("lua/plugins").path)
        candidates.append(exe.deletingLastPathComponent().appendingPathComponent("share/biliup/lua/plugins").path)
        var dir = exe
        while dir.path != "/" {
            candidates.append(dir.appendingPathComponent("lua/plugins").path)
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/lua/plugins")
        return candidates.first { isDirectory($0) }
    }

    /// Every directory in priority order: shipped, `<dataDir>/plugins`, `BILIUP_PLUGIN_PATH`, then `extra`.
    public static func search(dataDirectory: String, extra: [String],
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var dirs: [String] = []
        if let shipped = shipped(environment: environment) { dirs.append(shipped) }
        dirs.append((dataDirectory as NSString).appendingPathComponent("plugins"))
        if let path = environment["BILIUP_PLUGIN_PATH"] {
            dirs += path.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        dirs += extra
        return dirs
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}
