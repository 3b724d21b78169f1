@testable import BiliupEngine
import BiliupUpload
import Foundation

/// The engine's uploader in tests: records every call (with the engine clock's time and how many of
/// the same account were in flight), answers with the failures the test queued, and can hold uploads
/// until the test releases them or the engine cancels them.
final class FakeUploader: ArchiveUploading, @unchecked Sendable {
    struct Upload: Sendable {
        var path: String
        var account: String
        var line: String?
        var chunkConcurrency: Int
        var at: Date
    }

    struct Submission: Sendable {
        var account: String
        var studio: Studio
        var mode: SubmitMode
        var at: Date
    }

    private let clock: ManualClock
    private let lock = NSLock()
    private var uploadList: [Upload] = []
    private var submissionList: [Submission] = []
    private var uploadFailures: [UploadError] = []
    private var submitFailures: [UploadError] = []
    private var inFlight: [String: Int] = [:]
    private var mostInFlight = 0
    /// Uploads after this many calls wait for `releaseHeld` (or cancellation).
    private var holdAfter: Int?
    private var held: [UUID: CheckedContinuation<Bool, Never>] = [:]
    private var nextAid: Int64 = 100

    init(clock: ManualClock) {
        self.clock = clock
    }

    var uploads: [Upload] { lock.withLock { uploadList } }
    var submissions: [Submission] { lock.withLock { submissionList } }
    /// The most uploads and submissions of one account that ran at the same time.
    var maxInFlight: Int { lock.withLock { mostInFlight } }
    var heldCount: Int { lock.withLock { held.count } }

    /// The next upload calls fail with these, in order.
    func failUploads(_ errors: [UploadError]) { lock.withLock { uploadFailures += errors } }
    func failSubmits(_ errors: [UploadError]) { lock.withLock { submitFailures += errors } }
    func holdUploads(after calls: Int) { lock.withLock { holdAfter = calls } }

    func releaseHeld() {
        let waiting = lock.withLock { () -> [CheckedContinuation<Bool, Never>] in
            holdAfter = nil
            defer { held.removeAll() }
            return Array(held.values)
        }
        for c in waiting { c.resume(returning: true) }
    }

    func uploadPart(path: String, account: String, line: String?, chunkConcurrency: Int,
                    progress: @escaping @Sendable (Int64, Int64) -> Void) async throws(UploadError) -> Studio.Video {
        let (failure, holds) = lock.withLock { () -> (UploadError?, Bool) in
            uploadList.append(Upload(path: path, account: account, line: line, chunkConcurrency: chunkConcurrency, at: clock.now))
            enter(account)
            return (uploadFailures.isEmpty ? nil : uploadFailures.removeFirst(), holdAfter.map { uploadList.count > $0 } ?? false)
        }
        defer { lock.withLock { inFlight[account, default: 1] -= 1 } }
        if holds, await !waitForRelease() { throw UploadError(.cancelled, "upload of \(path)", "cancelled") }
        if let failure { throw failure }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
        progress(size / 2, size)
        progress(size, size)
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return Studio.Video(title: stem, filename: "n-\(stem)")
    }

    func submit(account: String, studio: Studio, mode: SubmitMode) async throws(UploadError) -> SubmittedArchive {
        let (failure, aid) = lock.withLock { () -> (UploadError?, Int64) in
            submissionList.append(Submission(account: account, studio: studio, mode: mode, at: clock.now))
            enter(account)
            nextAid += 1
            return (submitFailures.isEmpty ? nil : submitFailures.removeFirst(), nextAid)
        }
        defer { lock.withLock { inFlight[account, default: 1] -= 1 } }
        if let failure { throw failure }
        return SubmittedArchive(aid: aid, bvid: "BV1fake\(aid)")
    }

    private func enter(_ account: String) {
        inFlight[account, default: 0] += 1
        mostInFlight = max(mostInFlight, inFlight[account]!)
    }

    /// true when released, false when the task was cancelled.
    private func waitForRelease() async -> Bool {
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                let cancelled = lock.withLock { () -> Bool in
                    if Task.isCancelled { return true }
                    held[id] = c
                    return false
                }
                if cancelled { c.resume(returning: false) }
            }
        } onCancel: {
            lock.withLock { held.removeValue(forKey: id) }?.resume(returning: false)
        }
    }
}
