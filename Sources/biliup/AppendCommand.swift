import ArgumentParser
import BiliupUpload
import Foundation

struct AppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Upload video files and add them as new parts of an existing archive (biliup's `append`).",
        discussion: """
            The archive is read back (its fields and parts), every FILE is uploaded and added after its \
            existing parts in the order given, and the edit is submitted (app: edit/full; web: edit). Output, \
            resume and exit status as for `upload`.
            """)

    @OptionGroup var options: UploadOptions

    @Option(help: ArgumentHelp("The archive: its BV id (BV1…) or aid (av…).", valueName: "BV…|av…"))
    var vid: String

    @Argument(help: ArgumentHelp("The video files, in part order.", valueName: "FILE"))
    var files: [String] = []

    func validate() throws {
        if ArchiveRef(parsing: vid) == nil { throw ValidationError("--vid: \"\(vid)\" is neither a BV id nor an av number") }
        if files.isEmpty { throw ValidationError("no FILE to upload") }
        try checkReadableFiles(files)
    }

    func run() throws {
        let display = UploadProgressDisplay(style: UploadProgressDisplay.style(json: options.json))
        guard let archive = ArchiveRef(parsing: vid) else { throw ExitCode(1) }
        let (options, files) = (options, files)
        try runUpload(display: display) { () async throws(CommandFailure) in
            let session = try UploadSession(options: options, display: display)
            do throws(UploadError) {
                // Read first: a wrong id or a login that cannot edit it fails before anything is uploaded.
                _ = try await session.submitter.view(archive)
                let parts = try await session.uploadParts(files)
                let edited = try await session.waitingOutRateLimits("append") { () async throws(UploadError) in
                    try await session.submitter.append(to: archive, videos: parts, mode: session.mode)
                }
                display.accepted(edited, text: "added \(files.count) part(s) to \(edited.bvid) (av\(edited.aid)): https://www.bilibili.com/video/\(edited.bvid)")
            } catch {
                throw CommandFailure(error)
            }
        }
    }
}
