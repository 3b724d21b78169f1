import BiliupStore
import Foundation

// The engine's commands for the upload queue (the API's uploads routes call these).
extension Engine {
    /// Archives not submitted yet (collecting, ready, held, failed), oldest first, with their parts and
    /// the progress of those uploading.
    public func uploads() throws(EngineError) -> [QueuedArchive] {
        var list: [QueuedArchive] = []
        do {
            for archive in try store.archives(in: [.collecting, .ready, .held, .failed]) {
                var parts: [QueuedArchive.Part] = []
                for part in try store.archiveParts(archiveId: archive.id ?? 0) {
                    let progress = uploadWork.progress[part.id ?? 0]
                    parts.append(QueuedArchive.Part(record: part, sent: progress?.sent, total: progress?.total))
                }
                let account = uploadTarget(archive).account
                list.append(QueuedArchive(archive: archive, parts: parts, account: account,
                                          rateLimitedUntil: account.flatMap { uploadWork.rateLimits[$0]?.until }))
            }
        } catch {
            throw EngineError(error)
        }
        return list
    }

    /// Archives Bilibili accepted, newest first.
    public func submittedArchives(limit: Int = 50, offset: Int = 0) throws(EngineError) -> [ArchiveRecord] {
        do { return try store.archives(in: [.submitted], newestFirst: true, limit: limit, offset: offset) } catch { throw EngineError(error) }
    }

    /// Tries a held, failed or waiting archive again now: its failed and held parts are queued (a held
    /// part is uploaded as it is: a person decided), its failures forgotten.
    public func retryUpload(archiveId: Int64) throws(EngineError) -> QueuedArchive {
        do {
            var archive = try queuedArchive(archiveId)
            for var part in try store.archiveParts(archiveId: archiveId) where [.failed, .held, .queued].contains(part.state) {
                part.state = .queued
                part.tries = 0
                part.nextTryAt = nil
                part.error = nil
                try store.updateArchivePart(part)
            }
            try reopen(&archive)
            publish(EngineEvent(.state, sessionId: archive.sessionId, message: "upload of \"\(archive.title)\" retried", data: archiveData(archive)))
        } catch {
            throw EngineError(error)
        }
        pumpUploads()
        return try uploads().first { $0.archive.id == archiveId }!
    }

    /// Tries one part again now (a held part is uploaded as it is).
    public func retryUpload(partId: Int64) throws(EngineError) -> QueuedArchive {
        let archiveId: Int64
        do {
            guard var part = try store.archivePart(id: partId) else { throw EngineError(.notFound, "upload part \(partId) not found") }
            guard part.state != .uploaded, part.state != .uploading else {
                throw EngineError(.conflict, "part \(partId) is \(part.state.rawValue); only a queued, held or failed part can be retried")
            }
            var archive = try queuedArchive(part.archiveId)
            archiveId = part.archiveId
            part.state = .queued
            part.tries = 0
            part.nextTryAt = nil
            part.error = nil
            try store.updateArchivePart(part)
            try reopen(&archive)
            publish(EngineEvent(.state, sessionId: archive.sessionId, message: "upload of \(part.path) retried", data: partData(archive, part)))
        } catch {
            throw EngineError(error)
        }
        pumpUploads()
        return try uploads().first { $0.archive.id == archiveId }!
    }

    /// Stops an archive's uploads and gives it up ("failed", cancelled by the user); its files stay.
    public func cancelUpload(archiveId: Int64) throws(EngineError) {
        do {
            var archive = try queuedArchive(archiveId)
            for var part in try store.archiveParts(archiveId: archiveId) where part.state != .uploaded {
                part.state = .failed
                part.error = "cancelled by the user"
                try store.updateArchivePart(part)
                uploadWork.running[.part(part.id ?? 0)]?.cancel()
            }
            uploadWork.running[.archive(archiveId)]?.cancel()
            archive.state = .failed
            archive.error = "cancelled by the user"
            archive.nextTryAt = nil
            try store.updateArchive(archive)
            publish(EngineEvent(.state, sessionId: archive.sessionId, message: "upload of \"\(archive.title)\" cancelled; files kept",
                                data: archiveData(archive)))
        } catch {
            throw EngineError(error)
        }
    }

    private func queuedArchive(_ id: Int64) throws -> ArchiveRecord {
        guard let archive = try store.archive(id: id) else { throw EngineError(.notFound, "archive \(id) not found") }
        guard archive.state != .submitted else { throw EngineError(.conflict, "archive \(id) was submitted already (\(archive.bvid ?? ""))") }
        return archive
    }

    /// Back in the queue: collecting while its session records, else ready.
    private func reopen(_ archive: inout ArchiveRecord) throws {
        let recording = try archive.sessionId.flatMap { try store.session(id: $0) }?.isOpen ?? false
        archive.state = recording ? .collecting : .ready
        archive.tries = 0
        archive.nextTryAt = nil
        archive.error = nil
        archive = try store.updateArchive(archive)
    }
}
