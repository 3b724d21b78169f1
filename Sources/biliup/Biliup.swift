import ArgumentParser

@main
struct Biliup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "biliup",
        abstract: "Record live streams and check what was recorded.",
        discussion: """
            biliup records HTTP-FLV, HLS (MPEG-TS or fMP4 segments) and RTMP streams into segment files that \
            start on a keyframe at timestamp 0, repairs broken timestamps, and survives reconnects.
            """,
        subcommands: [DownloadCommand.self, ProbeCommand.self])
}
