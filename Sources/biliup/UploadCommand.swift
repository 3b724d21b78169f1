import ArgumentParser
import BiliupUpload
import BiliupValues
import Foundation

struct UploadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload video files to Bilibili as the parts of one new archive (biliup's `upload`).",
        discussion: """
            Every FILE is uploaded (UPOS, in chunks) and becomes one part, in the order given; then the archive \
            is submitted once. The cover, when given, is uploaded before anything else. The submission is checked \
            before any upload (title, --tid, --tag, --copyright 2 with --source, --desc, --dtime), and each \
            problem names its option. An interrupted upload continues where it stopped when the same command is \
            run again (the resume records are in DATA_DIR/biliup.sqlite3). A rate limit (\"too fast\") is waited \
            out with growing pauses, and said so.
            On a terminal each file gets a progress bar and the last line names the archive (BV id and aid); \
            elsewhere one line per file start and finish, wait and retry; --json prints JSON lines instead. \
            Exit status 0 only when Bilibili accepted the archive.
            """)

    @OptionGroup var options: UploadOptions

    @Option(help: ArgumentHelp("The archive's title (≤ 80 characters). Default: the first FILE's name without its extension.", valueName: "TITLE"))
    var title: String?

    @Option(help: ArgumentHelp("The category (分区) id, e.g. 171 (电子竞技, biliup's default) or 21 (日常).", valueName: "N"))
    var tid = 171

    @Option(help: ArgumentHelp("Tags, comma-separated (1 to 12; required by Bilibili).", valueName: "A,B,…"))
    var tag = ""

    @Option(help: ArgumentHelp("The description (≤ 2000 characters). Default: empty.", valueName: "TEXT"))
    var desc = ""

    @Option(help: ArgumentHelp("A JPEG or PNG cover image, uploaded first. Default: Bilibili picks a frame.", valueName: "IMAGE"))
    var cover: String?

    @Option(help: ArgumentHelp("1: made by the uploader (自制); 2: reposted (转载, needs --source).", valueName: "1|2"))
    var copyright = 1

    @Option(help: ArgumentHelp("Where a reposted archive comes from (a URL); needed with --copyright 2.", valueName: "URL"))
    var source = ""

    @Option(help: ArgumentHelp("Publish later: a unix time 4 hours to 15 days ahead. Default: at once.", valueName: "UNIX"))
    var dtime: Int64?

    @Option(help: ArgumentHelp("The text of the dynamic (动态) posted with the archive. Default: none.", valueName: "TEXT"))
    var dynamic = ""

    @Option(name: .customLong("no-reprint"), help: ArgumentHelp("""
        1: mark the archive "reposting forbidden" (禁止转载); 0: do not. As in biliup it takes a value; \
        `--no-reprint` alone means 1.
        """, valueName: "0|1"))
    var noReprint = 0

    @Flag(name: .customLong("up-close-danmu"), help: "Close danmaku (弹幕) on the archive.")
    var upCloseDanmu = false

    @Flag(name: .customLong("up-close-reply"), help: "Close comments on the archive.")
    var upCloseReply = false

    @Flag(name: .customLong("up-selection-reply"), help: "Show only comments the uploader selected (精选评论).")
    var upSelectionReply = false

    @Option(help: ArgumentHelp("Dolby audio: 0 off, 1 on.", valueName: "0|1"))
    var dolby = 0

    @Option(name: .customLong("hires"), help: ArgumentHelp("Hi-Res lossless audio (lossless_music): 0 off, 1 on.", valueName: "0|1"))
    var hires = 0

    @Option(name: .customLong("open-elec"), help: ArgumentHelp("Charging (充电, charging_pay): 0 off, 1 on.", valueName: "0|1"))
    var openElec = 0

    @Option(name: .customLong("mission-id"), help: ArgumentHelp("The event (活动) to join, by id. Default: none.", valueName: "N"))
    var missionId: Int?

    @Option(name: .customLong("extra-fields"), help: ArgumentHelp("""
                A JSON object of more submission fields, sent as they are at the top level of the submission, \
                for what Bilibili knows and these options do not (biliup's --extra-fields).
                """, valueName: "JSON"))
    var extraFields: String?

    @Argument(help: ArgumentHelp("The video files, in part order.", valueName: "FILE"))
    var files: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("no FILE to upload") }
        try checkReadableFiles(files)
        if let cover, !FileManager.default.isReadableFile(atPath: cover) { throw ValidationError("--cover: cannot read \(cover)") }
    }

    /// The submission as the options describe it, without its parts.
    func studio() throws(CommandFailure) -> Studio {
        let stem = ((files.first ?? "") as NSString).lastPathComponent
        var studio = Studio(tid: tid, title: title ?? (stem as NSString).deletingPathExtension, tag: tag)
        studio.desc = desc
        studio.copyright = copyright
        studio.source = source
        studio.dtime = dtime
        studio.dynamic = dynamic
        guard noReprint == 0 || noReprint == 1 else { throw CommandFailure("--no-reprint: expected 0 or 1, got \(noReprint)") }
        studio.noReprint = noReprint
        studio.upCloseDanmu = upCloseDanmu
        studio.upCloseReply = upCloseReply
        studio.upSelectionReply = upSelectionReply
        studio.dolby = dolby
        studio.losslessMusic = hires
        studio.chargingPay = openElec
        studio.missionId = missionId
        if let extraFields {
            guard let fields = try? JSONDecoder().decode([String: JSONValue].self, from: Data(extraFields.utf8)) else {
                throw CommandFailure("--extra-fields: not a JSON object")
            }
            studio.extraFields = fields
        }
        do { try studio.validate(needsVideos: false) } catch { throw CommandFailure(error) }
        return studio
    }

    func run() throws {
        let display = UploadProgressDisplay(style: UploadProgressDisplay.style(json: options.json))
        let (options, files, cover) = (options, files, cover)
        let studio: Studio
        do { studio = try self.studio() } catch {
            display.failed(error.message)
            throw ExitCode(1)
        }
        try runUpload(display: display) { () async throws(CommandFailure) in
            let session = try UploadSession(options: options, display: display)
            do throws(UploadError) {
                var studio = studio
                if let cover {
                    studio.cover = try await session.submitter.uploadCover(path: cover)
                    display.step(["event": "cover", "url": .string(studio.cover)], "cover uploaded: \(studio.cover)")
                }
                studio.videos = try await session.uploadParts(files)
                let submitted = try await session.waitingOutRateLimits("submit") { () async throws(UploadError) in
                    try await session.submitter.submit(studio, mode: session.mode)
                }
                display.accepted(submitted, text: "submitted \(submitted.bvid) (av\(submitted.aid)) with \(files.count) part(s): https://www.bilibili.com/video/\(submitted.bvid)")
            } catch {
                throw CommandFailure(error)
            }
        }
    }
}

/// A usage error for the first FILE that is not a readable regular file.
func checkReadableFiles(_ files: [String]) throws {
    for file in files {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isReadableFile(atPath: file) else {
            throw ValidationError("\(file): not a readable file")
        }
    }
}
