/// An error from the scripting layer, worded for the user who has to fix a plugin or main.lua.
public struct ScriptError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Codable {
        case load          // the file does not compile or does not return a valid plugin
        case runtime       // the Lua code raised an error
        case limit         // instruction, run-time or memory limit
        case timeout       // the whole call took longer than its timeout
        case result        // the call returned something that breaks the contract
        case noPlugin      // no plugin matches the URL
        case notRoom       // the platform's plugin claims the URL, but it names no live room
    }
    public var kind: Kind
    /// The plugin or script name.
    public var source: String
    public var message: String
    /// Lua traceback, for logs (not for one-line errors).
    public var traceback: String?

    public init(kind: Kind, source: String, message: String, traceback: String? = nil) {
        self.kind = kind
        self.source = source
        self.message = message
        self.traceback = traceback
    }

    public var description: String { "\(source): \(message)" }
}
