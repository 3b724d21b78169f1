import GRDB

/// Where a streamer or template was declared. The two sets are managed apart: reloading main.lua
/// replaces the script ones and never touches what was added through the API.
public enum Origin: String, Codable, Sendable, DatabaseValueConvertible {
    /// Declared in main.lua.
    case script
    /// Added through the HTTP API (or the CLI, which uses the same engine surface).
    case api
}
