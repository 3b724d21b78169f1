import BiliupMedia
import BiliupStore
import BiliupUpload
import BiliupValues
import Foundation

// Record-while-upload: a session of a streamer whose template names an account gets an archive at its
// first finished segment; every finished segment becomes a part, uploaded at once while the stream
// goes on; the session's end makes the archive ready, and once every part is up it is submitted.
extension Engine {
    /// A finished segment joins its session's archive (made now if it is the first), or is held when
    /// the integrity gate refuses it.
    func queueUpload(_ watch: StreamerWatch, sessionId: Int64, segmentId: Int64?, path: String, report: SegmentReport) {
        guard let name = watch.declaration.template, let template = uploadTemplate(named: name) else { return }
        do {
            let archive = try archive(for: sessionId, streamer: watch.name, template: template)
            guard let archiveId = archive.id else { return }
            let held = IntegrityGate.holdReason(report.jsonObject)
            let part = try store.addArchivePart(ArchivePartRecord(
                archiveId: archiveId, position: 0, segmentId: segmentId, path: path, title: Self.partTitle(path),
                state: held == nil ? .queued : .held, error: held.map { "held: \($0)" }, bytes: report.bytes))
            if let held {
                publish(EngineEvent(.uploadError, level: .warn, streamer: watch.name, sessionId: sessionId,
                                    message: "held \(path), not uploaded: \(held); retry the part to upload it as it is",
                                    data: partData(archive, part).merging(["held": .bool(true), "reason": .string(held)]) { $1 }))
            }
        } catch {
            publish(EngineEvent(.error, level: .error, streamer: watch.name, sessionId: sessionId, message: "upload queue: \(error)"))
        }
        pumpUploads()
    }

    /// The session is over: its archive has all its parts.
    func sessionEndedForUploads(_ sessionId: Int64) {
        guard var archive = try? store.archive(sessionId: sessionId), archive.state == .collecting else { return }
        archive.state = .ready
        do { try store.updateArchive(archive) } catch {
            publish(EngineEvent(.error, level: .error, sessionId: sessionId, message: "upload queue: \(error)"))
        }
        pumpUploads()
    }

    /// At start: parts a kill left uploading are queued again, archives of sessions that ended are ready.
    func resumeUploads() throws(EngineError) {
        let requeued: Int
        do { requeued = try store.resumeArchiveQueue() } catch { throw EngineError(error) }
        if requeued > 0 {
            publish(EngineEvent(.state, message: "\(requeued) upload(s) interrupted by the last run queued again; they resume where the uploader can"))
        }
    }

    /// Stops every upload and submission; what was in flight stays "uploading" in the store and
    /// resumes at the next start, as after a kill.
    func stopUploads() async {
        uploadWork.timer?.cancel()
        let tasks = Array(uploadWork.running.values)
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    // MARK: Working the queue

    /// Starts what may start: queued parts up to `upload.files` at once, and ready archives whose
    /// parts are all up; sets the timer for the next retry or rate-limit end.
    func pumpUploads() {
        guard !stopping, let uploader = environment.uploader else { return }
        let now = clock.now
        var wake: Date?
        func later(_ date: Date?) { if let date { wake = min(wake ?? date, date) } }
        do {
            for part in try store.queuedArchiveParts() {
                guard uploadWork.uploadingFiles < config.global.uploadFiles else { break }
                guard let id = part.id, uploadWork.running[.part(id)] == nil else { continue }
                if let next = part.nextTryAt, next > now { later(next); continue }
                guard let archive = try store.archive(id: part.archiveId) else { continue }
                let target = uploadTarget(archive)
                guard let account = target.account else { continue }
                let (may, retry) = uploadWork.mayStart(.part(id), account: account, now: now)
                guard may else { later(retry); continue }
                startUpload(part, archive, account: account, line: target.template?.line, uploader: uploader)
            }
            for archive in try store.archives(in: [.ready]) {
                guard let id = archive.id, uploadWork.running[.archive(id)] == nil else { continue }
                let parts = try store.archiveParts(archiveId: id)
                guard try settle(archive, parts) else { continue }
                if let next = archive.nextTryAt, next > now { later(next); continue }
                let target = uploadTarget(archive)
                guard let account = target.account else { continue }
                let (may, retry) = uploadWork.mayStart(.archive(id), account: account, now: now)
                guard may else { later(retry); continue }
                startSubmit(archive, parts, account: account, template: target.template, uploader: uploader)
            }
        } catch {
            publish(EngineEvent(.error, level: .error, message: "upload queue: \(error)"))
        }
        setUploadTimer(wake)
    }

    /// Whether a ready archive can be submitted now: every part uploaded. One with a held or given-up
    /// part waits for a person instead (said once).
    private func settle(_ archive: ArchiveRecord, _ parts: [ArchivePartRecord]) throws -> Bool {
        if parts.contains(where: { $0.state == .queued || $0.state == .uploading }) { return false }
        let blocking = parts.first { $0.state == .held } ?? parts.first { $0.state == .failed }
        guard let blocking else { return !parts.isEmpty }
        var archive = archive
        archive.state = blocking.state == .held ? .held : .failed
        archive.error = "part \(blocking.position + 1) (\(blocking.path)): \(blocking.error ?? blocking.state.rawValue)"
        try store.updateArchive(archive)
        publish(EngineEvent(.uploadError, level: .warn, sessionId: archive.sessionId,
                            message: "archive \"\(archive.title)\" not submitted: \(archive.error!); retry the part or the archive",
                            data: archiveData(archive).merging(["next_try": .null]) { $1 }))
        return false
    }

    private func setUploadTimer(_ deadline: Date?) {
        guard uploadWork.timerDeadline != deadline else { return }
        uploadWork.timer?.cancel()
        uploadWork.timerDeadline = deadline
        guard let deadline else { uploadWork.timer = nil; return }
        let clock = clock
        uploadWork.timer = Task { [weak self] in
            guard (try? await clock.sleep(until: deadline)) != nil else { return }
            await self?.uploadTimerFired(deadline)
        }
    }

    private func uploadTimerFired(_ deadline: Date) {
        guard uploadWork.timerDeadline == deadline else { return }
        uploadWork.timerDeadline = nil
        uploadWork.timer = nil
        pumpUploads()
    }

    // MARK: Parts

    private func startUpload(_ part: ArchivePartRecord, _ archive: ArchiveRecord, account: String, line: String?,
                             uploader: any ArchiveUploading) {
        guard let id = part.id else { return }
        var part = part
        part.state = .uploading
        do { part = try store.updateArchivePart(part) } catch {
            return publish(EngineEvent(.error, level: .error, sessionId: archive.sessionId, message: "upload queue: \(error)"))
        }
        publish(EngineEvent(.uploadStart, sessionId: archive.sessionId,
                            message: "uploading part \(part.position + 1) of \"\(archive.title)\": \(part.path)",
                            data: partData(archive, part).merging(["account": .string(account)]) { $1 }))
        let chunks = config.global.uploadChunks
        let path = part.path
        uploadWork.accounts[.part(id)] = account
        let progress: @Sendable (Int64, Int64) -> Void = { [weak self] sent, total in
            Task { await self?.uploadProgressed(id, sent: sent, total: total) }
        }
        uploadWork.running[.part(id)] = Task { [weak self] in
            let result: Result<Studio.Video, UploadError>
            do throws(UploadError) {
                result = .success(try await uploader.uploadPart(path: path, account: account, line: line, chunkConcurrency: chunks,
                                                                progress: progress))
            } catch {
                result = .failure(error)
            }
            await self?.uploadEnded(id, result)
        }
    }

    /// How often one part's progress is published (`upload_progress`): often enough for a live bar,
    /// rare enough that a fast upload does not flood the bus.
    static let uploadProgressInterval = 1.0

    private func uploadProgressed(_ id: Int64, sent: Int64, total: Int64) {
        guard uploadWork.running[.part(id)] != nil else { return }
        uploadWork.progress[id] = (sent, total)
        let now = clock.now
        if let last = uploadWork.progressPublishedAt[id], now.timeIntervalSince(last) < Self.uploadProgressInterval, sent < total { return }
        uploadWork.progressPublishedAt[id] = now
        guard let part = try? store.archivePart(id: id), let archive = try? store.archive(id: part.archiveId) else { return }
        publish(EngineEvent(.uploadProgress, level: .debug, sessionId: archive.sessionId,
                            message: "\(part.path): \(sent) of \(total) bytes",
                            data: partData(archive, part).merging(["sent": .int(sent), "total": .int(total)]) { $1 }))
    }

    private func uploadEnded(_ id: Int64, _ result: Result<Studio.Video, UploadError>) {
        let job = UploadWork.Job.part(id)
        uploadWork.running[job] = nil
        uploadWork.progress[id] = nil
        uploadWork.progressPublishedAt[id] = nil
        let account = uploadWork.accounts.removeValue(forKey: job) ?? ""
        guard !stopping else { return }
        defer { pumpUploads() }
        let wasWaiter = uploadWork.rateLimits[account]?.waiter == job
        // Cancelled, retried or given up meanwhile: the part's row says what it is now.
        guard var part = try? store.archivePart(id: id), part.state == .uploading,
              let archive = try? store.archive(id: part.archiveId) else {
            if wasWaiter { uploadWork.rateLimits[account]?.waiter = nil }
            return
        }
        switch result {
        case .success(let uploaded):
            rateLimitOver(account)
            counters.uploaded(bytes: part.bytes)
            part.state = .uploaded
            part.remoteName = uploaded.filename
            part.error = nil
            part.nextTryAt = nil
            saveAndSay(part) {
                EngineEvent(.state, sessionId: archive.sessionId, message: "uploaded part \(part.position + 1) of \"\(archive.title)\": \(part.path)",
                            data: partData(archive, part))
            }
        case .failure(let error):
            let retry = retryAfter(error, tries: part.tries, account: account, wasWaiter: wasWaiter)
            part.tries = retry.tries
            part.nextTryAt = retry.at
            part.state = retry.at == nil ? .failed : .queued
            part.error = error.description
            saveAndSay(part) {
                EngineEvent(.uploadError, level: retry.at == nil ? .error : .warn, sessionId: archive.sessionId,
                            message: "part \(part.position + 1) of \"\(archive.title)\" (\(part.path)): \(error)\(retry.words)",
                            data: partData(archive, part).merging(retry.data(error)) { $1 })
            }
        }
    }

    private func saveAndSay(_ part: ArchivePartRecord, _ event: () -> EngineEvent?) {
        do { try store.updateArchivePart(part) } catch {
            return publish(EngineEvent(.error, level: .error, message: "upload queue: \(error)"))
        }
        if let event = event() { publish(event) }
    }

    // MARK: Submission

    private func startSubmit(_ archive: ArchiveRecord, _ parts: [ArchivePartRecord], account: String, template: UploadTemplate?,
                             uploader: any ArchiveUploading) {
        guard let id = archive.id else { return }
        var studio: Studio
        do {
            studio = try JSONDecoder().decode(Studio.self, from: JSONEncoder().encode(JSONValue.object(archive.studio)))
        } catch {
            return publish(EngineEvent(.error, level: .error, sessionId: archive.sessionId, message: "archive \(id): its stored submission cannot be read: \(error)"))
        }
        studio.videos = parts.map { Studio.Video(title: $0.title, filename: $0.remoteName ?? "") }
        let mode = template?.submit ?? .app
        publish(EngineEvent(.state, sessionId: archive.sessionId, message: "submitting \"\(archive.title)\" with \(parts.count) part(s) as \(account)",
                            data: archiveData(archive)))
        uploadWork.accounts[.archive(id)] = account
        uploadWork.running[.archive(id)] = Task { [weak self] in
            let result: Result<SubmittedArchive, UploadError>
            do throws(UploadError) { result = .success(try await uploader.submit(account: account, studio: studio, mode: mode)) } catch { result = .failure(error) }
            await self?.submitEnded(id, result)
        }
    }

    private func submitEnded(_ id: Int64, _ result: Result<SubmittedArchive, UploadError>) {
        let job = UploadWork.Job.archive(id)
        uploadWork.running[job] = nil
        let account = uploadWork.accounts.removeValue(forKey: job) ?? ""
        guard !stopping else { return }
        defer { pumpUploads() }
        let wasWaiter = uploadWork.rateLimits[account]?.waiter == job
        guard var archive = try? store.archive(id: id), archive.state == .ready else {
            if wasWaiter { uploadWork.rateLimits[account]?.waiter = nil }
            return
        }
        do {
            switch result {
            case .success(let accepted):
                rateLimitOver(account)
                archive.state = .submitted
                archive.aid = accepted.aid
                archive.bvid = accepted.bvid
                archive.submittedAt = clock.now
                archive.error = nil
                archive.nextTryAt = nil
                try store.updateArchive(archive)
                let parts = try store.archiveParts(archiveId: id)
                publish(EngineEvent(.uploadDone, sessionId: archive.sessionId,
                                    message: "archive \"\(archive.title)\" accepted: \(accepted.bvid) (av\(accepted.aid)), \(parts.count) part(s)",
                                    data: archiveData(archive).merging(["aid": .int(accepted.aid), "bvid": .string(accepted.bvid),
                                                                        "parts": .array(parts.map { .string($0.path) })]) { $1 }))
                applyAfterUpload(archive, parts)
            case .failure(let error):
                let retry = retryAfter(error, tries: archive.tries, account: account, wasWaiter: wasWaiter)
                archive.tries = retry.tries
                archive.nextTryAt = retry.at
                archive.state = retry.at == nil ? .failed : .ready
                archive.error = error.description
                try store.updateArchive(archive)
                publish(EngineEvent(.uploadError, level: retry.at == nil ? .error : .warn, sessionId: archive.sessionId,
                                    message: "submitting \"\(archive.title)\": \(error)\(retry.words)",
                                    data: archiveData(archive).merging(retry.data(error)) { $1 }))
            }
        } catch {
            publish(EngineEvent(.error, level: .error, sessionId: archive.sessionId, message: "upload queue: \(error)"))
        }
    }

    // MARK: Retries and rate limits

    /// When a failed job is tried again (nil: given up), with its count of failures.
    private func retryAfter(_ error: UploadError, tries: Int, account: String, wasWaiter: Bool) -> UploadRetry {
        let now = clock.now
        if error.kind == .rateLimited {
            return UploadRetry(tries: tries, at: rateLimited(account, error, wasWaiter: wasWaiter, now: now), rateLimited: true, now: now)
        }
        if wasWaiter { uploadWork.rateLimits[account]?.waiter = nil }
        // A refused login may be fixed by `biliup login` while the queue waits.
        guard error.isTransient || error.kind == .needsLogin else { return UploadRetry(tries: tries + 1, at: nil, now: now) }
        let failures = tries + 1
        guard failures < UploadBackoff.maxTries else { return UploadRetry(tries: failures, at: nil, now: now) }
        return UploadRetry(tries: failures, at: now + UploadBackoff.failure.seconds(attempt: failures), now: now)
    }

    /// Notes a rate limit of `account` and returns when its jobs may try again. Jobs already in flight
    /// when the wait began report theirs without making it longer; the waiter's failure doubles it.
    private func rateLimited(_ account: String, _ error: UploadError, wasWaiter: Bool, now: Date) -> Date {
        if let limit = uploadWork.rateLimits[account], !wasWaiter { return limit.until }
        let attempt = (uploadWork.rateLimits[account]?.attempt ?? 0) + 1
        let wait = UploadBackoff.rateLimit.seconds(attempt: attempt)
        let until = now + wait
        uploadWork.rateLimits[account] = UploadWork.RateLimit(until: until, attempt: attempt, waiter: nil)
        publish(EngineEvent(.uploadError, level: .warn,
                            message: "account \(account) is rate limited (\(error)): waiting \(Int(wait)) s before trying again (attempt \(attempt)); its other uploads wait behind one",
                            data: ["account": .string(account), "rate_limited": .bool(true), "retry_in": .number(wait),
                                   "attempt": .int(Int64(attempt)), "next_try": .number(until.timeIntervalSince1970)]))
        return until
    }

    private func rateLimitOver(_ account: String) {
        guard uploadWork.rateLimits.removeValue(forKey: account) != nil else { return }
        publish(EngineEvent(.state, message: "account \(account): the rate limit is over; its uploads go on", data: ["account": .string(account)]))
    }

    // MARK: Helpers

    /// For the disk guard's messages: how much of the disk the upload queue holds (freed by
    /// after_upload = "delete" once archives are accepted), so a full disk behind a stuck queue says so.
    var queuedUploadNote: String {
        guard let bytes = try? store.queuedUploadBytes(), bytes > 0 else { return "" }
        return "; the upload queue holds \(bytes >> 20) MiB of recordings"
    }

    func uploadTemplate(named name: String?) -> UploadTemplate? {
        guard let name, let record = try? store.template(named: name) else { return nil }
        return UploadTemplate(record)
    }

    /// The account an archive uploads as (the one it was made for, else its template's) and its template.
    func uploadTarget(_ archive: ArchiveRecord) -> (account: String?, template: UploadTemplate?) {
        let template = uploadTemplate(named: archive.template)
        let stored = archive.accountId.flatMap { try? store.account(id: $0)?.name }
        return (stored ?? template?.account, template)
    }

    private func archive(for sessionId: Int64, streamer: String, template: UploadTemplate) throws -> ArchiveRecord {
        if let existing = try store.archive(sessionId: sessionId) { return existing }
        let session = try store.session(id: sessionId)
        let studio = template.studio(streamer: streamer, streamTitle: session?.title, url: session?.url ?? "",
                                     startedAt: session?.startedAt ?? clock.now)
        let body = try JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(studio))
        let archive = try store.addArchive(ArchiveRecord(
            accountId: try store.account(named: template.account)?.id, sessionId: sessionId, template: template.name,
            title: studio.title, studio: body))
        publish(EngineEvent(.state, streamer: streamer, sessionId: sessionId,
                            message: "uploading this session as \(template.account) (template \(template.name)): \"\(studio.title)\"",
                            data: archiveData(archive)))
        return archive
    }

    /// A part's title: its file's stem, as biliup names parts.
    static func partTitle(_ path: String) -> String {
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return stem.count > UploadTemplate.maxTitleCharacters ? String(stem.prefix(UploadTemplate.maxTitleCharacters - 3)) + "..." : stem
    }

    func archiveData(_ archive: ArchiveRecord) -> [String: JSONValue] {
        var data: [String: JSONValue] = ["archive": .int(archive.id ?? 0), "title": .string(archive.title), "state": .string(archive.state.rawValue)]
        if let template = archive.template { data["template"] = .string(template) }
        return data
    }

    func partData(_ archive: ArchiveRecord, _ part: ArchivePartRecord) -> [String: JSONValue] {
        archiveData(archive).merging(["part": .int(part.id ?? 0), "position": .int(Int64(part.position)), "path": .string(part.path)]) { $1 }
    }
}

/// A failed job's next try, and how the queue says it.
struct UploadRetry {
    var tries: Int
    /// nil: given up.
    var at: Date?
    var rateLimited = false
    var now: Date

    var words: String {
        guard let at else { return "; gave up (retry it to try again)" }
        return "; next try in \(Int(at.timeIntervalSince(now).rounded())) s"
    }

    func data(_ error: UploadError) -> [String: JSONValue] {
        ["error": .string(error.description), "kind": .string(error.kind.rawValue), "tries": .int(Int64(tries)),
         "rate_limited": .bool(rateLimited), "next_try": at.map { .number($0.timeIntervalSince1970) } ?? .null]
    }
}
