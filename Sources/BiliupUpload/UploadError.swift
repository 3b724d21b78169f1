import BiliupNet

/// What went wrong talking to Bilibili, in terms a user can act on. Messages never include cookies,
/// tokens or an UPOS auth string, and quote a server's message only as Bilibili's `message` field.
public struct UploadError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The request did not get an answer (connect, timeout, cut connection).
        case network
        /// An HTTP status that is not success, with no Bilibili error code to say more.
        case http
        /// Bilibili answered with a non-zero `code` (or `OK: 0`).
        case api
        /// "Too fast" (HTTP 406/601, code 601 or 21070, `OK:0` 上传视频过快): wait and try again.
        case rateLimited
        /// The account's login is no longer accepted (code -101, a refused token): log in again.
        case needsLogin
        /// The answer was not the JSON shape Bilibili sends.
        case badResponse
        /// What the user asked for cannot be sent (a field, a file).
        case invalidInput
        /// A local file could not be read.
        case file
        case cancelled
    }

    public let kind: Kind
    /// What was being done: "preupload", "submit", "chunk 3 of video.flv", ...
    public let context: String
    public let message: String
    /// Bilibili's `code`, where it sent one.
    public let code: Int?
    /// The HTTP status, where there was an answer.
    public let status: Int?

    public init(_ kind: Kind, _ context: String, _ message: String, code: Int? = nil, status: Int? = nil) {
        self.kind = kind
        self.context = context
        self.message = message
        self.code = code
        self.status = status
    }

    public init(_ error: NetError, _ context: String) {
        self.init(error == .cancelled ? .cancelled : .network, context, error.description)
    }

    /// Worth trying again later without any change: the network, a server error, a rate limit.
    public var isTransient: Bool {
        switch kind {
        case .network, .rateLimited: true
        case .http: (status ?? 0) >= 500 || status == 429
        default: false
        }
    }

    public var description: String {
        var text = "\(context): \(message)"
        if let code { text += " (code \(code))" } else if let status, kind == .http { text += " (HTTP \(status))" }
        return text
    }
}
