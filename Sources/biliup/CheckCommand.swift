import ArgumentParser
import BiliupEngine
import BiliupScript
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Ask the matching platform plugin once whether a room is live and where its streams are.",
        discussion: """
            Prints live or offline, title, streamer, cover, every stream candidate (format, quality, CDN, URL, \
            headers; best first) and the danmaku parameters. Plugin options: --opt key=value (see `biliup plugins`).
            Exit status: 0 when the check worked (live or not), 1 when it failed.
            """)

    @OptionGroup var script: ScriptOptions
    @Argument(help: "A room's page URL (or a direct stream URL).") var url: String
    @Flag(help: "Print the result as JSON.") var json = false
    @Option(name: .customLong("opt"), help: ArgumentHelp("A plugin option (repeatable).", valueName: "KEY=VALUE"))
    var options: [String] = []

    func run() throws {
        let options = try parsePluginOptions(self.options)
        let host = script.makeHost()
        let url = self.url
        let result: Result<CheckResult, ScriptError> = blocking {
            await host.checkResult(url, options: options)
        }
        switch result {
        case .failure(let error) where error.kind == .notRoom:
            // The message names the URL (as the plugin read it) and why it is no room; no request was made.
            FileHandle.standardError.write(Data("biliup: \(error)\n".utf8))
            throw ExitCode(1)
        case .failure(let error):
            FileHandle.standardError.write(Data("biliup: \(url): \(error)\n".utf8))
            throw ExitCode(1)
        case .success(let r):
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(r), as: UTF8.self))
            } else {
                print(Self.describe(r))
            }
        }
    }

    static func describe(_ r: CheckResult) -> String {
        var lines = ["\(r.url)", "  plugin:   \(r.plugin)", "  status:   \(r.live ? "LIVE" : "offline")"]
        if let t = r.title { lines.append("  title:    \(t)") }
        if let s = r.streamer { lines.append("  streamer: \(s)") }
        if let c = r.cover { lines.append("  cover:    \(c)") }
        for (i, s) in r.streams.enumerated() {
            let detail = [s.quality.map { "quality \($0)" }, s.cdn.map { "cdn \($0)" }, s.bitrate.map { "\($0) kbit/s" }]
                .compactMap { $0 }.joined(separator: ", ")
            lines.append("  stream \(i + 1): \(s.format)\(detail.isEmpty ? "" : " (\(detail))")")
            lines.append("    \(s.url)")
            for (k, v) in s.headers.sorted(by: { $0.key < $1.key }) { lines.append("    \(k): \(v)") }
        }
        if let d = r.danmaku, !d.isEmpty {
            lines.append("  danmaku:  " + d.keys.sorted().map { "\($0)=\(d[$0]!)" }.joined(separator: " "))
        }
        if let e = r.extra, !e.isEmpty {
            lines.append("  extra:    " + e.keys.sorted().map { "\($0)=\(e[$0]!)" }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}
