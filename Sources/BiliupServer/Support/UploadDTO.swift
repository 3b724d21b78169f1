import BiliupEngine
import BiliupStore
import BiliupValues
import Foundation

// What the uploads and archives routes send.

struct UploadPartDTO: Encodable, Sendable {
    let id: Int64
    let position: Int
    let title: String
    let path: String
    let state: String
    let bytes: Int64
    let tries: Int
    let nextTryAt: Nullable<Double>
    let error: Nullable<String>
    /// Bytes sent and the file's size while it uploads.
    let sent: Nullable<Int64>
    let total: Nullable<Int64>

    init(_ p: ArchivePartRecord, sent: Int64? = nil, total: Int64? = nil) {
        id = p.id ?? 0
        position = p.position
        title = p.title
        path = p.path
        state = p.state.rawValue
        bytes = p.bytes
        tries = p.tries
        nextTryAt = Nullable(p.nextTryAt?.timeIntervalSince1970)
        error = Nullable(p.error)
        self.sent = Nullable(sent)
        self.total = Nullable(total)
    }
}

/// An archive of the upload queue (not submitted yet) with its parts.
struct UploadDTO: Encodable, Sendable {
    let id: Int64
    let title: String
    let state: String
    let account: Nullable<String>
    let template: Nullable<String>
    let sessionId: Nullable<Int64>
    let tries: Int
    let nextTryAt: Nullable<Double>
    let error: Nullable<String>
    let rateLimitedUntil: Nullable<Double>
    let createdAt: Double
    let parts: [UploadPartDTO]

    init(_ q: QueuedArchive) {
        let a = q.archive
        id = a.id ?? 0
        title = a.title
        state = a.state.rawValue
        account = Nullable(q.account)
        template = Nullable(a.template)
        sessionId = Nullable(a.sessionId)
        tries = a.tries
        nextTryAt = Nullable(a.nextTryAt?.timeIntervalSince1970)
        error = Nullable(a.error)
        rateLimitedUntil = Nullable(q.rateLimitedUntil?.timeIntervalSince1970)
        createdAt = a.createdAt.timeIntervalSince1970
        parts = q.parts.map { UploadPartDTO($0.record, sent: $0.sent, total: $0.total) }
    }
}

/// An archive Bilibili accepted.
struct ArchiveDTO: Encodable, Sendable {
    let id: Int64
    let title: String
    let aid: Nullable<Int64>
    let bvid: Nullable<String>
    /// Its page on bilibili.com.
    let url: Nullable<String>
    let account: Nullable<String>
    let template: Nullable<String>
    let sessionId: Nullable<Int64>
    let submittedAt: Nullable<Double>
    let parts: [UploadPartDTO]

    init(_ a: ArchiveRecord, account: String?, parts: [ArchivePartRecord]) {
        id = a.id ?? 0
        title = a.title
        aid = Nullable(a.aid)
        bvid = Nullable(a.bvid)
        url = Nullable(a.bvid.map { "https://www.bilibili.com/video/\($0)" })
        self.account = Nullable(account)
        template = Nullable(a.template)
        sessionId = Nullable(a.sessionId)
        submittedAt = Nullable(a.submittedAt?.timeIntervalSince1970)
        self.parts = parts.map { UploadPartDTO($0) }
    }
}
