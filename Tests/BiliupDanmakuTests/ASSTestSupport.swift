import BiliupTestSupport
import Foundation
@testable import BiliupDanmaku

/// Bilibili's own danmaku XML (the format its download API serves), written here by hand so that the
/// reader is checked against a second, independent writer.
func officialXML(_ comments: [(time: Double, mode: Int, size: Int, color: Int, text: String)]) -> String {
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><i><chatserver>chat.bilibili.com</chatserver><chatid>1176840</chatid>"
        + "<mission>0</mission><maxlimit>3000</maxlimit><state>0</state><real_name>0</real_name><source>k-v</source>\n"
    for (index, c) in comments.enumerated() {
        let text = c.text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        xml += "<d p=\"\(String(format: "%.5f", c.time)),\(c.mode),\(c.size),\(c.color),1733120000,0,6b8f2e1a,\(40_000_000 + index),11\">\(text)</d>\n"
    }
    return xml + "</i>\n"
}

/// A fresh directory for one test's files.
func assScratchDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-ass-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// One Dialogue line of an ASS file, read back the way a renderer reads it.
struct ASSEvent {
    var layer: Int
    var start: Double
    var end: Double
    var overrides: String
    var text: String
    /// `\move(x1,y1,x2,y2)`.
    var move: (x1: Double, y1: Double, x2: Double, y2: Double)?
    var pos: (x: Double, y: Double)?
    var alignment: Int?
    var fontSize: Int?

    var isScrolling: Bool { move != nil }
}

struct ParsedASS {
    var playResX = 0
    var playResY = 0
    var styleFontSize = 0
    var styleLine = ""
    var events: [ASSEvent] = []
}

enum ASSParseError: Error { case bad(String) }

func parseASS(_ script: String) throws -> ParsedASS {
    var parsed = ParsedASS()
    for line in script.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("PlayResX: ") { parsed.playResX = Int(line.dropFirst(10))! }
        if line.hasPrefix("PlayResY: ") { parsed.playResY = Int(line.dropFirst(10))! }
        if line.hasPrefix("Style: ") {
            parsed.styleLine = String(line)
            parsed.styleFontSize = Int(line.split(separator: ",")[2])!
        }
        guard line.hasPrefix("Dialogue: ") else { continue }
        let fields = line.dropFirst(10).split(separator: ",", maxSplits: 9, omittingEmptySubsequences: false)
        guard fields.count == 10, fields[9].hasPrefix("{"), let close = fields[9].firstIndex(of: "}") else { throw ASSParseError.bad(String(line)) }
        let overrides = String(fields[9][fields[9].index(after: fields[9].startIndex)..<close])
        var event = ASSEvent(layer: Int(fields[0])!, start: try seconds(fields[1]), end: try seconds(fields[2]),
                             overrides: overrides, text: String(fields[9][fields[9].index(after: close)...]))
        for tag in overrides.split(separator: "\\").map(String.init) {
            if tag.hasPrefix("move(") {
                let v = numbers(in: tag)
                event.move = (v[0], v[1], v[2], v[3])
            } else if tag.hasPrefix("pos(") {
                let v = numbers(in: tag)
                event.pos = (v[0], v[1])
            } else if tag.hasPrefix("an") {
                event.alignment = Int(tag.dropFirst(2))
            } else if tag.hasPrefix("fs") {
                event.fontSize = Int(tag.dropFirst(2))
            }
        }
        parsed.events.append(event)
    }
    return parsed
}

private func numbers(in tag: String) -> [Double] {
    tag.drop { $0 != "(" }.dropFirst().prefix { $0 != ")" }.split(separator: ",").map { Double($0)! }
}

private func seconds(_ field: Substring) throws -> Double {
    let parts = field.split(separator: ":")
    guard parts.count == 3, let h = Double(parts[0]), let m = Double(parts[1]), let s = Double(parts[2]) else {
        throw ASSParseError.bad("time \(field)")
    }
    return h * 3600 + m * 60 + s
}

/// Runs ffmpeg to completion and returns its exit status and standard error (standard output is
/// discarded, so only one pipe needs draining). Waits on a thread of its own, not the test pool's: a
/// 20-minute render holds its waiter for many seconds.
func runFFmpeg(_ arguments: [String]) async throws -> (status: Int32, stderr: String) {
    try await onThread { try runFFmpegWaiting(arguments) }
}

private func runFFmpegWaiting(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["ffmpeg", "-nostdin", "-hide_banner"] + arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
}
