import BiliupStore
import BiliupUpload
import Foundation

/// The engine's uploader in production: parts go up through UPOS as the named account (resume records
/// in the same store, so a part a kill interrupted continues where it stopped), archives are submitted
/// through the Submitter. A login Bilibili no longer accepts marks the account, so `biliup accounts`
/// and the API show it, and the error says how to fix it.
public struct BilibiliArchiveUploader: ArchiveUploading {
    public let accounts: AccountBook

    public init(accounts: AccountBook) {
        self.accounts = accounts
    }

    public func uploadPart(path: String, account: String, line: String?, chunkConcurrency: Int,
                           progress: @escaping @Sendable (Int64, Int64) -> Void) async throws(UploadError) -> Studio.Video {
        let (login, accountId) = try credentials(account, "upload of \(path)")
        let chosen: UploadLine
        if let line {
            guard let named = UploadLine(named: line) else {
                throw UploadError(.invalidInput, "line", "unknown upload line \"\(line)\" (one of \(UploadLine.names.joined(separator: ", ")))")
            }
            chosen = named
        } else {
            chosen = .auto
        }
        let uploader = UposUploader(client: accounts.client, store: accounts.store, login: login, accountId: accountId,
                                    line: chosen, chunkConcurrency: chunkConcurrency)
        do {
            return try await uploader.upload(path: path) { event in
                switch event {
                case .started(let total, let resumed): progress(resumed, total)
                case .progress(let sent, let total): progress(sent, total)
                default: break
                }
            }
        } catch {
            throw marking(error, account: account, id: accountId)
        }
    }

    public func submit(account: String, studio: Studio, mode: SubmitMode) async throws(UploadError) -> SubmittedArchive {
        let (login, accountId) = try credentials(account, "submit")
        let submitter = Submitter(client: accounts.client, login: login)
        var studio = studio
        do {
            if Self.namesLocalFile(studio.cover) {
                studio.cover = try await submitter.uploadCover(path: studio.cover)
            }
            return try await submitter.submit(studio, mode: mode)
        } catch {
            throw marking(error, account: account, id: accountId)
        }
    }

    /// A template's cover is either a URL Bilibili already keeps or an image on this machine.
    static func namesLocalFile(_ cover: String) -> Bool {
        !cover.isEmpty && !cover.hasPrefix("http://") && !cover.hasPrefix("https://")
    }

    private func credentials(_ account: String, _ context: String) throws(UploadError) -> (LoginInfo, Int64?) {
        do {
            let login = try accounts.login(account)
            return (login, try accounts.store.account(named: account)?.id)
        } catch {
            throw UploadError(.invalidInput, context, "cannot use account \"\(account)\": \(error)")
        }
    }

    /// A refused login becomes the account's state and an error that says what to do; others pass.
    private func marking(_ error: UploadError, account: String, id: Int64?) -> UploadError {
        guard error.kind == .needsLogin else { return error }
        if let id { _ = try? accounts.store.markAccount(id: id, state: .needsLogin, message: error.message) }
        return UploadError(.needsLogin, error.context, "\(Self.needsLogin(account)) (Bilibili: \(error.message))",
                           code: error.code, status: error.status)
    }

    /// What a user reads when an account's login has to be done again.
    static func needsLogin(_ account: String) -> String {
        "account \(account) needs a new login: biliup login --name \(account)"
    }
}
