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
                    progress: @escaping @Sendable (Int64, Int64) -> Void) async throws(UploadError) -> Studio.Video

    /// Submits one archive: `studio` with its parts in `studio.videos`, in order.
    func submit(account: String, studio: Studio, mode: SubmitMode) async throws(UploadError) -> SubmittedArchive
}
