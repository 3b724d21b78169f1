import BiliupEngine
import BiliupStore
import BiliupValues
import Foundation

// What the API sends: the store's records and the engine's state, under snake_case names
// (docs/api.md). Times are unix seconds.

struct StreamerDTO: Encodable {
    let id: Int64?
    let name: String
    let urls: [String]
    let origin: String
    let options: [String: JSONValue]
    let template: Nullable<String>
    let schedule: [String]
    let titleInclude: [String]
    let titleExclude: [String]
    let overrides: [String: JSONValue]
    let danmaku: Bool
    let danmakuDetail: Bool
    let danmakuAss: Bool
    let paused: Bool
    let state: String
    let recording: Nullable<RecordingDTO>
    let lastError: Nullable<String>
    let refusal: Nullable<String>
    let createdAt: Double
    let updatedAt: Double

    init(_ r: StreamerRecord, _ runtime: StreamerRuntime) {
        id = r.id
        name = r.name
        urls = r.urls
        origin = r.origin.rawValue
        options = r.options
        template = Nullable(r.template)
        schedule = r.schedule
        titleInclude = r.titleInclude
        titleExclude = r.titleExclude
        overrides = r.overrides
        danmaku = r.danmaku
        danmakuDetail = r.danmakuDetail
        danmakuAss = r.danmakuASS
        paused = r.paused
        state = runtime.phase.rawValue
        recording = Nullable(runtime.recording.map(RecordingDTO.init))
        lastError = Nullable(runtime.lastError)
        refusal = Nullable(runtime.refusal)
        createdAt = r.createdAt.timeIntervalSince1970
        updatedAt = r.updatedAt.timeIntervalSince1970
    }
}

struct RecordingDTO: Encodable {
    let streamer: String
    let streamerId: Nullable<Int64>
    let sessionId: Nullable<Int64>
    let file: Nullable<String>
    let bytes: Int64
    let duration: Double
    let bitrate: Double
    let startedAt: Double
    let reconnects: Int

    init(_ p: RecordingProgress) {
        streamer = p.streamer
        streamerId = Nullable(p.streamerId)
        sessionId = Nullable(p.sessionId)
        file = Nullable(p.file)
        bytes = p.bytes
        duration = p.duration
        bitrate = p.bitrate.rounded()
        startedAt = p.startedAt.timeIntervalSince1970
        reconnects = p.reconnects
    }
}

/// The fields a client sends to add or change a streamer; absent ones keep their value on a PUT.
struct StreamerInput: RequestBody {
    var name: String?
    var url: String?
    var urls: [String]?
    var options: [String: JSONValue]?
    /// An empty string takes the template away.
    var template: String?
    var schedule: [String]?
    var titleInclude: [String]?
    var titleExclude: [String]?
    var overrides: [String: JSONValue]?
    var danmaku: Bool?
    /// Gifts, super chats and guard purchases in the XML too.
    var danmakuDetail: Bool?
    /// An `.ass` subtitle beside each segment's XML.
    var danmakuAss: Bool?
    /// Added paused (never checked until resumed); on a PUT, pauses or resumes it.
    var paused: Bool?

    /// A room or stream URL of a scheme the engine takes (StreamerValidation checks it).
    static let urlShape = Schema.string(pattern: "^(https?|rtmps?)://[^/?#\\s]+([/?#]\\S*)?$")
    static var narrowed: [String: Schema] { ["url": urlShape, "urls": .array(urlShape)] }

    /// `base` with this input's fields over it.
    func applied(to base: StreamerRecord) -> StreamerRecord {
        var r = base
        if let name { r.name = name }
        if let urls { r.urls = urls } else if let url { r.urls = [url] }
        if let options { r.options = options }
        if let template { r.template = template.isEmpty ? nil : template }
        if let schedule { r.schedule = schedule }
        if let titleInclude { r.titleInclude = titleInclude }
        if let titleExclude { r.titleExclude = titleExclude }
        if let overrides { r.overrides = overrides }
        if let danmaku { r.danmaku = danmaku }
        if let danmakuDetail { r.danmakuDetail = danmakuDetail }
        if let danmakuAss { r.danmakuASS = danmakuAss }
        if let paused { r.paused = paused }
        return r
    }
}

struct TemplateDTO: Encodable {
    let id: Int64?
    let name: String
    let origin: String
    let fields: [String: JSONValue]
    let createdAt: Double
    let updatedAt: Double

    init(_ t: TemplateRecord) {
        id = t.id
        name = t.name
        origin = t.origin.rawValue
        fields = t.fields
        createdAt = t.createdAt.timeIntervalSince1970
        updatedAt = t.updatedAt.timeIntervalSince1970
    }
}

struct TemplateInput: RequestBody {
    var name: String?
    var fields: [String: JSONValue]?
}

struct SegmentDTO: Encodable, Sendable {
    let id: Int64?
    let sessionId: Int64
    let fileName: String
    let path: String
    let state: String
    let startedAt: Double
    let endedAt: Nullable<Double>
    let duration: Double
    let bytes: Int64
    let fileUrl: Nullable<String>
    let removedReason: Nullable<String>
    let report: [String: JSONValue]?

    init(_ s: SegmentRecord, withReport: Bool = false) {
        id = s.id
        sessionId = s.sessionId
        fileName = (s.path as NSString).lastPathComponent
        path = s.path
        state = s.state.rawValue
        startedAt = s.startedAt.timeIntervalSince1970
        endedAt = Nullable(s.endedAt?.timeIntervalSince1970)
        duration = s.duration
        bytes = s.bytes
        fileUrl = Nullable(s.state == .removed ? nil : s.id.map { "/api/segments/\($0)/file" })
        removedReason = Nullable(s.removedReason)
        report = withReport ? s.report : nil
    }
}

struct SessionDTO: Encodable, Sendable {
    let id: Int64?
    let streamerId: Nullable<Int64>
    let streamer: String
    let plugin: String
    let url: String
    let title: Nullable<String>
    let startedAt: Double
    let endedAt: Nullable<Double>
    let endReason: Nullable<String>
    let bytes: Int64
    let duration: Double
    let segmentCount: Int
    let segments: [SegmentDTO]

    init(_ s: SessionRecord, segments: [SegmentRecord]) {
        id = s.id
        streamerId = Nullable(s.streamerId)
        streamer = s.streamerName
        plugin = s.plugin
        url = s.url
        title = Nullable(s.title)
        startedAt = s.startedAt.timeIntervalSince1970
        endedAt = Nullable(s.endedAt?.timeIntervalSince1970)
        endReason = Nullable(s.endReason)
        bytes = s.bytes
        duration = s.duration
        segmentCount = s.segmentCount
        self.segments = segments.map { SegmentDTO($0) }
    }
}

struct EventDTO: Encodable {
    let id: Int64?
    let kind: String
    let level: String
    let streamerId: Nullable<Int64>
    let sessionId: Nullable<Int64>
    let message: String
    let data: [String: JSONValue]
    let timestamp: Double

    init(_ e: EventRecord) {
        id = e.id
        kind = e.kind
        level = e.level.rawValue
        streamerId = Nullable(e.streamerId)
        sessionId = Nullable(e.sessionId)
        message = e.message
        data = e.data
        timestamp = e.at.timeIntervalSince1970
    }
}

struct UserDTO: Encodable {
    let id: Int64?
    let name: String
    let admin: Bool
    let createdAt: Double?

    init(_ u: UserRecord) {
        id = u.id
        name = u.name
        admin = u.admin
        createdAt = u.createdAt.timeIntervalSince1970
    }

    init(_ i: Identity) {
        id = i.userId
        name = i.name
        admin = i.admin
        createdAt = nil
    }
}

struct TokenDTO: Encodable {
    let id: Int64?
    let name: String
    let userId: Int64
    let createdAt: Double
    let expiresAt: Nullable<Double>
    let lastUsedAt: Nullable<Double>
    /// The secret, in the answer that created it only.
    let token: String?

    init(_ t: TokenRecord, secret: String? = nil) {
        id = t.id
        name = t.name
        userId = t.userId
        createdAt = t.createdAt.timeIntervalSince1970
        expiresAt = Nullable(t.expiresAt?.timeIntervalSince1970)
        lastUsedAt = Nullable(t.lastUsedAt?.timeIntervalSince1970)
        token = secret
    }
}

struct Page<Item: Encodable>: Encodable {
    let items: [Item]
    /// null where counting would cost a scan (sessions).
    let total: Nullable<Int>
    let limit: Int
    let offset: Int

    init(items: [Item], total: Int?, limit: Int, offset: Int) {
        self.items = items
        self.total = Nullable(total)
        self.limit = limit
        self.offset = offset
    }
}

struct Items<Item: Encodable>: Encodable {
    let items: [Item]
}

/// An optional the API sends as JSON null instead of leaving the key out, so that every documented key
/// is in every answer.
struct Nullable<Wrapped: Encodable>: Encodable {
    let value: Wrapped?

    init(_ value: Wrapped?) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}

extension Nullable: Sendable where Wrapped: Sendable {}
