import BiliupDanmaku
import BiliupMedia
import BiliupScript
import BiliupValues
import Foundation
import Synchronization

/// What a recording with chat needs to know besides the recording itself.
public struct DanmakuRequest: Sendable {
    /// The room's name in the XML header (the check's streamer, else the URL).
    public var room: String
    /// The check result's `danmaku` table: `protocol` and what that protocol needs.
    public var parameters: [String: JSONValue]
    /// The streamer's plugin options, for the `danmaku` step as for `check`.
    public var pluginOptions: [String: JSONValue]
    /// Gifts, super chats and guard purchases in the XML (`danmaku_detail`).
    public var detail: Bool
    /// An `.ass` beside each XML (`danmaku_ass`).
    public var ass: Bool

    public init(room: String, parameters: [String: JSONValue], pluginOptions: [String: JSONValue] = [:],
                detail: Bool = false, ass: Bool = false) {
        self.room = room
        self.parameters = parameters
        self.pluginOptions = pluginOptions
        self.detail = detail
        self.ass = ass
    }

    /// The platform's chat protocol, as the plugin's check named it.
    public var platform: String {
        if case .string(let p)? = parameters["protocol"] { return p }
        return ""
    }
}

/// One recording's chat: the connection to the platform's chat server, the capture that writes one XML
/// per segment, and the recorder's segment notices going to it. A chat that fails never stops the
/// video: its errors become warnings, at most one per reconnect cycle.
///
/// Lifecycle: `start()` when the recording starts; the recorder tells `segmentOpened`/`segmentClosing`
/// (it is the recording's `segmentObserver`) and `recordingEnded`, which stops the connection and
/// finishes the capture. `stop()` does the same and may be called again (the recording's end).
public final class DanmakuRecorder: SegmentObserver, Sendable {
    private let capture: DanmakuCapture
    private let connection: ChatConnection
    private let onWarning: @Sendable (String) -> Void
    private let stopped = Mutex(false)

    /// `connect` is asked before every connection attempt for the chat server's parameters (the
    /// plugin's `danmaku` step: tokens and signatures expire). `onMessages` is the live feed;
    /// `onWarning` gets the chat's failures, one per disconnection.
    public init(request: DanmakuRequest, network: ChatNetworkSettings,
                connect: @escaping @Sendable () throws -> [String: JSONValue],
                onMessages: @escaping @Sendable ([DanmakuMessage]) -> Void,
                onWarning: @escaping @Sendable (String) -> Void) {
        self.onWarning = onWarning
        var assWriter: (@Sendable (String) throws -> String?)?
        if request.ass { assWriter = { @Sendable xml in try DanmakuRecorder.writeASS(xmlPath: xml) } }
        let capture = DanmakuCapture(settings: DanmakuCapture.Settings(room: request.room, platform: request.platform,
                                                                       detail: request.detail, assWriter: assWriter),
                                     onMessages: onMessages)
        self.capture = capture
        let platform = request.platform
        let checked = request.parameters
        let warnings = WarningGate(onWarning)
        connection = ChatConnection(
            resolve: {
                // The step's answer over the check's table: the check names the protocol and room, the
                // step adds what expires (the server URL, a token, a signature).
                let parameters = checked.merging(try connect()) { $1 }
                return try ChatPlatforms.source(protocol: parameters["protocol"]?.string ?? platform, parameters: parameters)
            },
            network: network,
            onEvent: { event in
                warnings.note(event)
                capture.accept(event)
            })
    }

    public func start() {
        connection.start()
    }

    /// Stops the connection and finishes the capture (messages after the last segment are counted).
    /// Once; later calls return at once.
    public func stop() {
        let first = stopped.withLock { was in
            defer { was = true }
            return !was
        }
        guard first else { return }
        connection.stop()
        _ = capture.finish()
    }

    // MARK: SegmentObserver (called on the recording thread)

    public func segmentOpened(path: String, firstFrameAt: Date, arrivalLag: Double, programDateTime: Date?) {
        capture.segmentOpened(videoPath: path, firstFrameAt: firstFrameAt, arrivalLag: arrivalLag, programDateTime: programDateTime)
    }

    public func segmentClosing(path: String, firstFrameAt: Date?) -> SegmentReport.Danmaku? {
        guard let s = capture.segmentClosing(videoPath: path, firstFrameAt: firstFrameAt) else { return nil }
        for error in s.errors { onWarning("danmaku: \(error)") }
        return SegmentReport.Danmaku(file: (s.xmlPath as NSString).lastPathComponent,
                                     ass: s.assPath.map { ($0 as NSString).lastPathComponent },
                                     messages: s.messages, dropped: s.dropped, offset: s.offset,
                                     programDateTime: s.programDateTime, latency: s.latency,
                                     gaps: s.gaps.map { SegmentReport.Danmaku.Gap(at: $0.at, seconds: $0.seconds, reason: $0.reason) })
    }

    public func recordingEnded() {
        stop()
    }

    /// `danmaku_ass`: the segment's XML converted beside it, with the converter's defaults.
    static func writeASS(xmlPath: String) throws -> String? {
        let assPath = (xmlPath as NSString).deletingPathExtension + ".ass"
        _ = try DanmakuASS.convertFile(xmlPath: xmlPath, assPath: assPath, options: DanmakuASS.Options())
        return assPath
    }
}

/// A chat's failures as warnings: the first disconnection after a connection (or the first failed
/// attempt) is told, the retries that follow are not, until a connection succeeds again.
private final class WarningGate: Sendable {
    private let told = Mutex(false)
    private let warn: @Sendable (String) -> Void

    init(_ warn: @escaping @Sendable (String) -> Void) { self.warn = warn }

    func note(_ event: ChatEvent) {
        switch event {
        case .connected:
            told.withLock { $0 = false }
        case .disconnected(_, let reason):
            let tell = told.withLock { was in
                defer { was = true }
                return !was
            }
            if tell { warn("danmaku: \(reason); reconnecting") }
        case .messages:
            break
        }
    }
}
