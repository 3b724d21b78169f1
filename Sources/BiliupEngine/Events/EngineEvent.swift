import BiliupScript
import BiliupValues
import Foundation

/// One state change of the engine. Every one is logged, kept (bounded) in the store, offered to
/// subscribers (the API's WebSocket), and the hook kinds are handed to main.lua's handlers.
public struct EngineEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case streamStart = "stream_start"
        case segment
        case streamEnd = "stream_end"
        case error
        /// Streamer states (watching, live, recording, waiting, paused) and configuration changes.
        case state
        case config
        /// A running recording's bytes, duration and bitrate, every few seconds: for live views only
        /// (not logged, not kept, not hookable).
        case progress
        /// A part of an archive starts uploading.
        case uploadStart = "upload_start"
        /// An uploading part's bytes, about once a second: for live views only, like `progress`.
        case uploadProgress = "upload_progress"
        /// Bilibili accepted an archive (aid, bvid, parts).
        case uploadDone = "upload_done"
        /// An upload or submission failed (with its next try, or given up), a rate limit, a held segment.
        case uploadError = "upload_error"
        /// The latest chat messages of a recording (a few per event, a few events a second at most):
        /// for live views only, like `progress`; the XML beside each segment is the record.
        case danmaku
    }

    public enum Level: String, Sendable, Codable { case debug, info, warn, error }

    public var kind: Kind
    public var level: Level
    public var at: Date
    public var streamer: String?
    /// The streamer's store id, filled in by the engine (sinks need not look it up).
    public var streamerId: Int64?
    public var sessionId: Int64?
    public var message: String
    /// What a hook receives besides `kind`, `streamer` and `message`.
    public var data: [String: JSONValue]

    public init(_ kind: Kind, level: Level = .info, at: Date = Date(), streamer: String? = nil, sessionId: Int64? = nil,
                message: String, data: [String: JSONValue] = [:]) {
        self.kind = kind
        self.level = level
        self.at = at
        self.streamer = streamer
        self.sessionId = sessionId
        self.message = message
        self.data = data
    }

    /// Whether main.lua hooks may listen to this kind (`biliup.on`).
    public var isHookable: Bool { [.streamStart, .segment, .streamEnd, .error, .uploadStart, .uploadDone, .uploadError].contains(kind) }

    /// Published often for live views; not logged, not kept.
    public var isLiveOnly: Bool { kind == .progress || kind == .uploadProgress || kind == .danmaku }

    /// The table a hook receives: `data` plus the common fields.
    public var hookPayload: [String: JSONValue] {
        var payload = data
        payload["event"] = .string(kind.rawValue)
        payload["message"] = .string(message)
        payload["time"] = .number(at.timeIntervalSince1970)
        if let streamer { payload["streamer"] = .string(streamer) }
        if let sessionId { payload["session"] = .int(Int64(sessionId)) }
        return payload
    }
}
