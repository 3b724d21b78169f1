import BiliupScript
import BiliupValues

/// A chat connection's `connect` for a room page: the plugin's `danmaku(params, opts)` step, asked
/// before every attempt (tokens and signatures expire), with the check's parameters. Blocks the chat
/// connection's thread while the plugin VM runs it, with the limits of a check.
public func pluginDanmakuStep(checker: any RoomChecker, plugin: String, parameters: [String: JSONValue],
                              options: [String: JSONValue]) -> @Sendable () throws -> [String: JSONValue] {
    { () throws -> [String: JSONValue] in
        try blocking({ await checker.danmakuConnection(plugin: plugin, parameters: parameters, options: options) }).get()
    }
}
