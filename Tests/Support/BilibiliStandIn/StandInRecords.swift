import BiliupValues
import Foundation

/// A request as the stand-in received it.
public struct StandInRequest: Sendable {
    public let method: String
    public let path: String
    public let query: [String: String]
}

/// One chunk PUT to UPOS.
public struct ChunkPut: Sendable {
    public let uploadId: String
    public let partNumber: Int
    /// Body bytes received (fewer than sent when the connection was cut).
    public let bytes: Int
    /// The HTTP status answered; nil when the stand-in cut the connection mid-body.
    public let status: Int?
}

/// One add or edit call.
public struct Submission: Sendable {
    /// The path called, e.g. `/x/vu/web/add/v3`, `/x/vu/app/add`, `/x/vu/app/edit/full`.
    public let endpoint: String
    /// The JSON body as sent (null when it was not JSON).
    public let body: JSONValue
    /// The cookies and csrf (web) or the signature and access key (app) were right.
    public let authorized: Bool
    /// The `code` answered: 0 when accepted.
    public let code: Int
}

public struct UploadedCover: Sendable {
    /// The URL answered, which a submission's `cover` should name.
    public let url: String
    /// The decoded image as stored; nil when it could not be written.
    public let file: URL?
    public let bytes: Int
    public let mimeType: String
}

/// An archive (稿件) as the last accepted add or edit left it.
public struct StandInArchive: Sendable {
    public let aid: Int64
    public let bvid: String
    public let mid: Int64
    /// The submission body; its `videos` are the archive's parts.
    public var studio: JSONValue
    /// How many edits were accepted.
    public var edits: Int

    public var videos: [JSONValue] {
        if case .array(let list)? = studio.member("videos") { return list }
        return []
    }

    /// The `filename` of each part, in order.
    public var videoFilenames: [String] { videos.compactMap { $0.member("filename")?.stringValue } }
}

extension JSONValue {
    /// The value of an object's field.
    func member(_ key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    /// The plain Foundation value JSONSerialization writes.
    var foundationValue: Any {
        switch self {
        case .null: NSNull()
        case .bool(let b): b
        case .int(let i): i
        case .number(let d): d
        case .string(let s): s
        case .array(let a): a.map(\.foundationValue)
        case .object(let o): o.mapValues(\.foundationValue)
        }
    }
}
