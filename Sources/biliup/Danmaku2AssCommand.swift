import ArgumentParser
import BiliupDanmaku
import Foundation

struct Danmaku2AssCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "danmaku2ass",
        abstract: "Turn danmaku XML files into ASS subtitles that players overlay on the video.",
        discussion: """
            Reads the XML biliup writes beside each recorded segment (and Bilibili's own danmaku XML) and \
            writes FILE.ass beside each FILE.xml. Scrolling comments cross the screen in --duration seconds, \
            in lanes within the top --area of the picture where no comment overlaps another; a comment waits \
            for a free lane for up to \(Self.seconds(DanmakuASS.Options().maxDelay)) s and is otherwise dropped (counted). Top and bottom comments stay \
            centred for \(Self.seconds(DanmakuASS.Options().fixedDuration)) s in lanes of their own. Each comment keeps its colour, with an outline. The output \
            plays in mpv and in ffmpeg's `subtitles` filter, e.g. \
            `ffmpeg -i NAME.flv -vf subtitles=NAME.ass NAME.mp4`.
            Prints what became of the comments of each file. Exit status 1 when a file could not be converted \
            (the others still are).
            """)

    @Argument(help: ArgumentHelp("Danmaku XML files.", valueName: "FILE.xml")) var files: [String]

    @Option(name: .customLong("output"), help: ArgumentHelp("Where to write the ASS file (only with one FILE). Default: FILE.ass beside FILE.xml.", valueName: "PATH"))
    var output: String?

    @Option(help: ArgumentHelp("The subtitles' resolution; players scale it to the video.", valueName: "WIDTHxHEIGHT"))
    var resolution = "1920x1080"

    @Option(help: ArgumentHelp("The font (fontconfig finds a substitute when it is not installed).", valueName: "NAME"))
    var font = DanmakuASS.Options().font

    @Option(name: .customLong("font-size"), help: ArgumentHelp("Font size of a normal comment. Default: 36 at 1080 lines, scaled with the height.", valueName: "N"))
    var fontSize: Int?

    @Option(help: ArgumentHelp("Opacity of the comments, above 0 up to 1.", valueName: "0.8"))
    var opacity = DanmakuASS.Options().opacity

    @Option(help: ArgumentHelp("Seconds a scrolling comment takes to cross the screen.", valueName: "SECONDS"))
    var duration = DanmakuASS.Options().scrollDuration

    @Option(help: ArgumentHelp("Fraction of the screen height, from the top, that scrolling comments may use.", valueName: "0.5"))
    var area = DanmakuASS.Options().area

    @Option(name: .customLong("block-keywords"), help: ArgumentHelp("Leave out comments containing any of these words (case-insensitive), comma-separated.", valueName: "A,B,…"))
    var blockKeywords: String?

    func validate() throws {
        if files.isEmpty { throw ValidationError("no FILE.xml to convert") }
        if output != nil && files.count > 1 { throw ValidationError("--output: only with one FILE.xml (each file's ASS goes beside it otherwise)") }
        if let problem = try options().problem { throw ValidationError(problem) }
    }

    func run() throws {
        let options = try options()
        var failed = false
        for file in files {
            let target = output ?? DanmakuASS.assPath(forXML: file)
            do {
                let stats = try DanmakuASS.convertFile(xmlPath: file, assPath: target, options: options)
                print("\(file) -> \(target): \(Self.describe(stats))")
            } catch {
                failed = true
                FileHandle.standardError.write(Data("biliup danmaku2ass: \(error)\n".utf8))
            }
        }
        if failed { throw ExitCode(1) }
    }

    private func options() throws -> DanmakuASS.Options {
        var options = DanmakuASS.Options()
        let size = resolution.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard size.count == 2, let width = Int(size[0]), let height = Int(size[1]) else {
            throw ValidationError("--resolution: \"\(resolution)\" is not WIDTHxHEIGHT (e.g. 1920x1080)")
        }
        options.width = width
        options.height = height
        options.font = font
        options.fontSize = fontSize
        options.opacity = opacity
        options.scrollDuration = duration
        options.area = area
        options.blockKeywords = (blockKeywords ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return options
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    static func describe(_ stats: DanmakuASS.Stats) -> String {
        var parts = ["\(stats.written) comments written"]
        if stats.dropped > 0 { parts.append("\(stats.dropped) dropped (no free lane within \(Self.seconds(DanmakuASS.Options().maxDelay)) s)") }
        if stats.blocked > 0 { parts.append("\(stats.blocked) blocked by keyword") }
        if stats.skipped > 0 { parts.append("\(stats.skipped) skipped (empty or positioned/code comments)") }
        return parts.joined(separator: ", ")
    }
}
