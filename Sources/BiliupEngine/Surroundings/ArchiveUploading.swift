import BiliupUpload

/// The uploader as the engine uses it: files up to Bilibili, then one archive naming them. Production's
/// wraps BiliupUpload's UPOS uploader and submitter; the engine's tests use a fake that records calls.
/// Errors are `UploadError`s: `kind == .rateLimited` makes the engine wait for that account, and
/// `isTransient` decides between a retry later and giving up.
public protocol ArchiveUploading: Sendable {
    /// Uploads one file as `account` (an account name in the store) and returns what a submission
    /// names it by. `progress` gets (bytes sent, total bytes); cancelling the task stops the upload
    /// (a later call for the same file resumes where the uploader can).
    func uploadPart(path: String, account: String, line: String?, chunkConcurrency: Int,
                    progress: @escaping @Sendable (Int64, Int64) -> Void) async throws(UploadError) -> UploadedPart

    /// Submits one archive: `studio` with its parts in `studio.videos`, in order.
    func submit(account: String, studio: Studio, mode: ArchiveSubmitMode) async throws(UploadError) -> SubmittedArchive
}

/// One uploaded file, as a submission names it.
public struct UploadedPart: Sendable, Equatable {
    /// The stem of its upos_uri.
    public var filename: String
    public var title: String

    public init(filename: String, title: String) {
        self.filename = filename
        self.title = title
    }
}

/// An archive Bilibili accepted (code 0).
public struct SubmittedArchive: Sendable, Equatable {
    public var aid: Int64
    public var bvid: String

    public init(aid: Int64, bvid: String) {
        self.aid = aid
        self.bvid = bvid
    }
}

/// How an archive is submitted: the app's signed endpoint or the web's (cookies and csrf).
public enum ArchiveSubmitMode: String, Sendable, CaseIterable {
    case app, web
}
