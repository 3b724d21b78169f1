/// Why the connection parameters a plugin's `danmaku` step returned cannot make a chat source. The
/// message names the protocol and the key, so that the plugin's author knows what to fix; it never
/// quotes a value (plugins copy values from remote servers).
public enum ChatParameterError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownProtocol(String)
    /// e.g. protocol "bilibili", key "token", expected "a string", got "nil".
    case invalid(protocol: String, key: String, expected: String, got: String)

    public var description: String {
        switch self {
        case .unknownProtocol(let name):
            "danmaku: unknown protocol \"\(name.prefix(40))\" (known: \(ChatPlatforms.names.joined(separator: ", ")))"
        case .invalid(let name, let key, let expected, let got):
            "\(name) danmaku: \(key): expected \(expected), got \(got)"
        }
    }
}
