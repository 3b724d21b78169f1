import BiliupStore
import Foundation
import Synchronization

/// Uploads one file to Bilibili's UPOS storage and returns the part a submission names. With a store,
/// every session and every accepted chunk is recorded, so running the same upload again (after a kill,
/// a failure) sends only the chunks UPOS does not have yet, or nothing when the file is already up.
public final class UposUploader: Sendable {
    public let client: BilibiliClient
    public let store: Store?
    public let login: LoginInfo
    /// The account's row, part of the file's identity for resuming (nil: not stored).
    public let accountId: Int64?
    public let line: UploadLine
    public let chunkConcurrency: Int
    public let timing: UposTiming
    private let allocatedBuffers = Mutex(0)

    public init(client: BilibiliClient, store: Store?, login: LoginInfo, accountId: Int64?, line: UploadLine = .auto,
                chunkConcurrency: Int = 3, timing: UposTiming = .standard) {
        self.client = client
        self.store = store
        self.login = login
        self.accountId = accountId
        self.line = line
        self.chunkConcurrency = max(1, chunkConcurrency)
        self.timing = timing
    }

    /// Chunk buffers this uploader has allocated, over all its uploads: one per in-flight chunk, once
    /// per upload, however large the file. For tests of the memory bound.
    public var buffersAllocated: Int { allocatedBuffers.withLock { $0 } }

    /// How many times one upload may replace an expired UPOS session before it gives up.
    static let sessionRenewals = 2

    public func upload(path: String, events: @escaping @Sendable (UploadEvent) -> Void) async throws(UploadError) -> Studio.Video {
        let clock = ContinuousClock()
        let began = clock.now
        let path = URL(fileURLWithPath: path).standardizedFileURL.path
        let file = try ChunkFile(path: path)
        guard file.size > 0 else { throw UploadError(.invalidInput, path, "the file is empty") }
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        let calls = UposCalls(client: client, timing: timing)
        var buffers: [ChunkBuffer] = []

        var session: UposSessionState
        if let recorded = try recordedSession(file) {
            if recorded.row.state == .uploaded, let remoteName = recorded.row.remoteName {
                let video = Self.video(fileName: fileName, remoteName: remoteName)
                events(.finished(video, seconds: (clock.now - began).seconds))
                return video
            }
            session = recorded
            events(.lineChosen(recorded.row.line, probeMillis: nil))
            if !recorded.resumed.isEmpty { events(.resumed(parts: recorded.resumed.count)) }
        } else {
            session = try await newSession(file, fileName: fileName, line: line, calls: calls, events: events)
        }

        var renewals = 0
        while true {
            let ledger = PartLedger(store: store, uploadFileId: session.row.id, resumed: session.resumed)
            let pump = ChunkPump(calls: calls, file: file, fileName: fileName, ticket: session.ticket,
                                 uploadId: session.row.uploadId, ledger: ledger, timing: timing, events: events)
            let missing = pump.missing
            events(.started(total: file.size, resumed: ledger.bytes))
            if !missing.isEmpty {
                buffers = allocateBuffers(reusing: buffers, count: min(chunkConcurrency, missing.count),
                                          capacity: Int(session.ticket.chunkSize))
            }
            var failure = await pump.run(missing, buffers: buffers)
            if failure == nil {
                do throws(SessionFailure) {
                    try await calls.complete(session.ticket, uploadId: session.row.uploadId, fileName: fileName,
                                             parts: ledger.parts)
                } catch {
                    failure = error
                }
            }
            switch failure {
            case nil:
                let remoteName = session.ticket.remoteName
                if let id = session.row.id { try record("the finished upload") { try $0.markUploadFile(id: id, state: .uploaded, remoteName: remoteName) } }
                let video = Self.video(fileName: fileName, remoteName: remoteName)
                events(.finished(video, seconds: (clock.now - began).seconds))
                return video
            case .failed(let error):
                throw error
            case .gone(let error):
                guard renewals < Self.sessionRenewals else { throw error }
                renewals += 1
                if let id = session.row.id { try record("the expired session") { try $0.markUploadFile(id: id, state: .abandoned) } }
                events(.sessionExpired)
                // The same line again, unless it was a probe's pick that only the probe list knows.
                let again = UploadLine(named: session.row.line).flatMap { $0.isAuto ? nil : $0 } ?? line
                session = try await newSession(file, fileName: fileName, line: again, calls: calls, events: events)
            }
        }
    }

    /// The file's unfinished or finished session in the store, with the parts it already has.
    private func recordedSession(_ file: ChunkFile) throws(UploadError) -> UposSessionState? {
        guard let store else { return nil }
        return try record("looking up earlier uploads") { _ throws in
            guard let row = try store.resumableUploadFile(path: file.path, size: file.size, mtime: file.mtime,
                                                          accountId: accountId), let id = row.id else { return nil }
            let parts = try store.uploadParts(uploadFileId: id)
                .map { UploadPart(partNumber: $0.partNumber, eTag: $0.eTag, bytes: $0.bytes) }
            let ticket = UposTicket(endpoint: row.endpoint, uposURI: row.uposURI, auth: row.auth, bizId: row.bizId,
                                    chunkSize: row.chunkSize)
            return UposSessionState(row: row, ticket: ticket, resumed: parts)
        }
    }

    /// Chooses the line, asks preupload for a ticket, opens the multipart upload and records it.
    private func newSession(_ file: ChunkFile, fileName: String, line: UploadLine, calls: UposCalls,
                            events: @Sendable (UploadEvent) -> Void) async throws(UploadError) -> UposSessionState {
        let preupload = Preupload(client: client, login: login, timing: timing)
        var chosen = line
        if line.isAuto {
            let choice = await LineProbe(preupload: preupload, timing: timing).fastest()
            chosen = choice.line
            events(.lineChosen(chosen.name, probeMillis: choice.millis))
        } else {
            events(.lineChosen(chosen.name, probeMillis: nil))
        }
        let ticket = try await preupload.ticket(line: chosen, fileName: fileName, size: file.size, events: events)
        let uploadId = try await calls.start(ticket, fileName: fileName)
        var row = UploadFileRecord(accountId: accountId, path: file.path, size: file.size, mtime: file.mtime,
                                   line: chosen.name, endpoint: ticket.endpoint, uposURI: ticket.uposURI, auth: ticket.auth,
                                   bizId: ticket.bizId, uploadId: uploadId, chunkSize: ticket.chunkSize)
        if let store {
            let unsaved = row
            row = try record("the new upload session") { _ throws in try store.startUploadFile(unsaved) }
        }
        return UposSessionState(row: row, ticket: ticket, resumed: [])
    }

    /// `count` buffers of `capacity` bytes, keeping those already allocated when they are large enough.
    private func allocateBuffers(reusing buffers: [ChunkBuffer], count: Int, capacity: Int) -> [ChunkBuffer] {
        var kept = buffers.filter { $0.bytes.count >= capacity }.prefix(count).map { $0 }
        let added = count - kept.count
        guard added > 0 else { return kept }
        allocatedBuffers.withLock { $0 += added }
        kept += (0..<added).map { _ in ChunkBuffer(capacity: capacity) }
        return kept
    }

    @discardableResult
    private func record<T>(_ what: String, _ body: (Store) throws -> T) throws(UploadError) -> T {
        do {
            return try body(store!)
        } catch {
            throw UploadError(.file, "recording \(what)", "the store refused it: \(error)")
        }
    }

    /// The part a submission lists: titled by the file's stem (at most 80 characters, as Bilibili
    /// allows), named by the stem of upos_uri.
    static func video(fileName: String, remoteName: String) -> Studio.Video {
        var title = (fileName as NSString).deletingPathExtension
        if title.count > 80 { title = String(title.prefix(77)) + "..." }
        return Studio.Video(title: title, filename: remoteName, desc: "")
    }
}

/// A session being sent: its row (id nil without a store), its ticket, the parts recorded earlier.
struct UposSessionState {
    var row: UploadFileRecord
    var ticket: UposTicket
    var resumed: [UploadPart]
}
