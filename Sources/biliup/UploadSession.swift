import ArgumentParser
import BiliupEngine
import BiliupNet
import BiliupStore
import BiliupUpload
import Foundation

/// One `upload` or `append` run: uploads the files in order with resume records in the store, then
/// sends the submission, waiting out rate limits.
struct UploadSession: Sendable {
    let client: BilibiliClient
    let store: Store
    let login: LoginInfo
    let accountId: Int64?
    let line: UploadLine
    let limit: Int
    let mode: SubmitMode
    let display: UploadProgressDisplay

    /// Submission rate limits (code 21070) are waited out this many times before giving up.
    static let submitAttempts = 6
    static let firstSubmitWait: Duration = .seconds(30)
    static let longestSubmitWait: Duration = .seconds(600)

    /// Opens the store and reads the login; a failure is the one line to print.
    init(options: UploadOptions, display: UploadProgressDisplay) throws(CommandFailure) {
        do {
            store = try Store(path: (options.dataDirectory as NSString).appendingPathComponent("biliup.sqlite3"))
        } catch {
            throw CommandFailure("\(options.dataDirectory): \(error)")
        }
        (login, accountId) = try options.login(store: store)
        client = BilibiliClient(remap: (try? options.remap()) ?? HostRemap())
        line = (try? options.uploadLine()) ?? .auto
        limit = options.limit
        mode = options.mode
        self.display = display
    }

    var submitter: Submitter { Submitter(client: client, login: login) }

    /// Every file uploaded, one after the other, as the parts they become.
    func uploadParts(_ files: [String]) async throws(UploadError) -> [Studio.Video] {
        let uploader = UposUploader(client: client, store: store, login: login, accountId: accountId, line: line,
                                    chunkConcurrency: limit)
        var parts: [Studio.Video] = []
        for (index, file) in files.enumerated() {
            display.fileStarting(file, index: index, count: files.count)
            let display = display
            parts.append(try await uploader.upload(path: file) { display.event($0) })
        }
        return parts
    }

    /// `body`, tried again with a growing wait while Bilibili says submissions come too fast.
    func waitingOutRateLimits<T>(_ what: String, _ body: () async throws(UploadError) -> T) async throws(UploadError) -> T {
        var wait = Self.firstSubmitWait
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch where error.kind == .rateLimited && attempt < Self.submitAttempts {
                display.step(["event": "rate_limited", "step": .string(what), "retry_in": .number(wait.seconds), "attempt": .int(Int64(attempt))],
                             "\(what): Bilibili says submissions come too fast; trying again in \(UploadProgressDisplay.wait(wait))")
                do { try await Task.sleep(for: wait) } catch { throw UploadError(.cancelled, what, "interrupted") }
                wait = min(wait * 2, Self.longestSubmitWait)
                attempt += 1
            }
        }
    }
}

/// Runs a command's async work from its synchronous `run`, printing a failure as one line and exiting
/// non-zero; the outcome is printed by the work itself.
func runUpload(display: UploadProgressDisplay, _ work: @escaping @Sendable () async throws(CommandFailure) -> Void) throws {
    let failure: CommandFailure? = blocking {
        do throws(CommandFailure) {
            try await work()
            return nil
        } catch {
            return error
        }
    }
    if let failure {
        display.failed(failure.message)
        throw ExitCode(1)
    }
}
