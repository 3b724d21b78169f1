import ArgumentParser
import BiliupMedia
import Foundation

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Print the integrity report of recorded files.",
        discussion: """
            Scans each file: duration, video/audio frames, first/last timestamps, keyframes, gaps, and \
            decodes every frame (unless --no-decode). What the recorder noted while writing the file \
            (timestamp fixes, reconnects, missed HLS segments, why the file started and ended) is read from \
            the FILE.json it wrote beside it. Exit status 1 when a file cannot be read or does not decode cleanly.
            """)

    @Argument(help: "Recorded files.") var files: [String]
    @Flag(help: "Print JSON instead of text.") var json = false
    @Flag(name: .customLong("no-decode"), help: "Skip the decode check (faster for long files).") var noDecode = false

    func run() throws {
        var reports: [ProbeReport] = []
        var failed = false
        for f in files {
            do {
                let r = try FileProbe.probe(path: f, decode: !noDecode)
                if !r.isHealthy { failed = true }
                reports.append(r)
            } catch {
                failed = true
                FileHandle.standardError.write(Data("biliup probe: \(error)\n".utf8))
            }
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            enc.dateEncodingStrategy = .iso8601
            let data = files.count == 1 && reports.count == 1 ? try enc.encode(reports[0]) : try enc.encode(reports)
            print(String(decoding: data, as: UTF8.self))
        } else {
            for r in reports { print(ProbeText.render(r)) }
        }
        if failed { throw ExitCode(1) }
    }
}

enum ProbeText {
    static func render(_ r: ProbeReport) -> String {
        var lines = ["\(r.file)"]
        func add(_ k: String, _ v: String) { lines.append("  \(k.padding(toLength: 18, withPad: " ", startingAt: 0))\(v)") }
        add("container", "\(r.container), \(formatBytes(r.bytes))")
        add("duration", String(format: "%.3f s", r.duration))
        for s in r.streams {
            add(s.kind, "\(s.codec), \(s.frames) frames" + (s.kind == "video" ? ", \(s.keyframes) keyframes" : ""))
        }
        add("timestamps", String(format: "%.3f … %.3f s", r.firstTimestamp, r.lastTimestamp))
        add("gaps", r.gaps.isEmpty ? "none" : r.gaps.map { String(format: "%@ %.1f s at %.1f s", $0.stream, $0.seconds, $0.at) }.joined(separator: "; "))
        if r.nonMonotonic > 0 { add("backward steps", "\(r.nonMonotonic)") }
        add("decode", !r.decode.checked ? "not checked" : r.decode.errors == 0 ? "ok" : "\(r.decode.errors) errors, first: \(r.decode.firstError ?? "")")
        if let rec = r.recorder {
            add("started by", rec.startReason)
            add("ended by", rec.endReason)
            add("timestamp fixes", rec.timestampFixes.isEmpty ? "none" : rec.timestampFixes.map {
                String(format: "%@ %@ %+lld ms at %.1f s", $0.track, $0.kind, $0.deltaMs, $0.at) }.joined(separator: "; "))
            add("reconnects", rec.reconnects.isEmpty ? "none" : rec.reconnects.map {
                String(format: "at %.1f s (%@), %d repeated frames dropped", $0.at, $0.reason, $0.repeatedFramesDropped) }.joined(separator: "; "))
            if !rec.gaps.isEmpty { add("source gaps", rec.gaps.map { String(format: "%@ at %.1f s", $0.what, $0.at) }.joined(separator: "; ")) }
            if rec.framesBeforeKeyframeDropped > 0 { add("undecodable start", "\(rec.framesBeforeKeyframeDropped) frames before the first keyframe dropped") }
        } else {
            add("recorder notes", "none (no \(URL(fileURLWithPath: r.file).lastPathComponent).json beside the file)")
        }
        return lines.joined(separator: "\n")
    }
}
