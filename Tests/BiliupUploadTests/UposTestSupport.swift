import BiliupNet
import BiliupStore
import BiliupTestSupport
import BiliupUpload
import Foundation
import Synchronization

/// A stand-in with one account, a scratch directory, and what an uploader needs to talk to it.
struct UposHarness {
    let directory: URL
    let standIn: BilibiliStandIn
    let login: LoginInfo

    init(directory: URL = FileManager.default.temporaryDirectory.appendingPathComponent("upos-\(UUID().uuidString)"),
         chunkSize: Int) throws {
        self.directory = directory
        standIn = try BilibiliStandIn(directory: directory.appendingPathComponent("standin-\(UUID().uuidString)"))
        standIn.chunkSize = chunkSize
        let account = standIn.addAccount(mid: 4242, uname: "测试UP主")
        login = try LoginInfo.reading(Data(standIn.loginInfoJSON(for: account).utf8))
    }

    /// Retries and rate-limit waits of a millisecond or so: the tests check what happens, not how long.
    static let quick = UposTiming(rateLimitFirst: .milliseconds(1), rateLimitCap: .milliseconds(4),
                                  chunkRetryFirst: .milliseconds(1), chunkRetryCap: .milliseconds(4), chunkRetries: 12)

    func uploader(store: Store? = nil, line: UploadLine = .bda2, concurrency: Int = 3) -> UposUploader {
        UposUploader(client: BilibiliClient(remap: standIn.remap), store: store, login: login, accountId: nil, line: line,
                     chunkConcurrency: concurrency, timing: Self.quick)
    }

    func store() throws -> Store { try Store(path: directory.appendingPathComponent("data/biliup.sqlite3").path) }

    /// A file of `size` random bytes in the scratch directory.
    func randomFile(_ name: String, size: Int) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let out = try FileHandle(forWritingTo: url)
        defer { try? out.close() }
        let random = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom"))
        defer { try? random.close() }
        var left = size
        while left > 0 {
            let block = try random.read(upToCount: min(left, 4 << 20)) ?? Data()
            out.write(block)
            left -= block.count
        }
        return url
    }

    /// Whether the stand-in's assembled copy of `video` holds exactly the bytes of `original`.
    func received(_ video: Studio.Video, equals original: URL) throws -> Bool {
        guard let copy = standIn.uploadedFile(named: video.filename) else { return false }
        return try sameBytes(copy, original)
    }

    func remove() {
        standIn.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Compares two files block by block, without holding either in memory.
func sameBytes(_ a: URL, _ b: URL) throws -> Bool {
    let left = try FileHandle(forReadingFrom: a), right = try FileHandle(forReadingFrom: b)
    defer {
        try? left.close()
        try? right.close()
    }
    while true {
        let x = try left.read(upToCount: 4 << 20) ?? Data(), y = try right.read(upToCount: 4 << 20) ?? Data()
        guard x == y else { return false }
        if x.isEmpty { return true }
    }
}

/// Every event an upload reported, in order.
final class UploadEvents: Sendable {
    private let all = Mutex<[UploadEvent]>([])
    /// Cancels `task` once this many chunks have been accepted.
    private let stop = Mutex<(afterParts: Int?, parts: Int, task: Task<Studio.Video, any Error>?)>((nil, 0, nil))

    init(cancelAfterParts: Int? = nil) { stop.withLock { $0.afterParts = cancelAfterParts } }

    var callback: @Sendable (UploadEvent) -> Void {
        { [self] event in
            all.withLock { $0.append(event) }
            if case .progress = event {
                stop.withLock {
                    $0.parts += 1
                    if $0.parts == $0.afterParts { $0.task?.cancel() }
                }
            }
        }
    }

    /// Runs `upload` as a task this recorder can cancel.
    func run(_ upload: @escaping @Sendable () async throws -> Studio.Video) async -> Result<Studio.Video, UploadError> {
        let task = Task { try await upload() }
        stop.withLock { state in
            state.task = task
            if let after = state.afterParts, state.parts >= after { task.cancel() }
        }
        do {
            return .success(try await task.value)
        } catch {
            return .failure(error as! UploadError)
        }
    }

    var events: [UploadEvent] { all.withLock { $0 } }

    var rateLimitAttempts: [Int] { events.compactMap { if case .rateLimited(_, let attempt) = $0 { attempt } else { nil } } }
    var retries: Int { events.filter { if case .retrying = $0 { true } else { false } }.count }
    var sessionExpirations: Int { events.filter { if case .sessionExpired = $0 { true } else { false } }.count }
    var resumedParts: [Int] { events.compactMap { if case .resumed(let parts) = $0 { parts } else { nil } } }
    var linesChosen: [(String, Int?)] { events.compactMap { if case .lineChosen(let name, let ms) = $0 { (name, ms) } else { nil } } }
    var lastProgress: Int64? { events.compactMap { if case .progress(let sent, _) = $0 { sent } else { nil } }.last }
    var finished: Studio.Video? { events.compactMap { if case .finished(let video, _) = $0 { video } else { nil } }.last }
}
