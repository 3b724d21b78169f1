import BiliupNet
import BiliupUpload
import BiliupValues
import Foundation

/// Shows what `upload` and `append` do. On a terminal: one progress bar per file (bytes, MB/s, ETA)
/// redrawn in place, notes above it, a summary line at the end. Elsewhere: one plain line per file start
/// and finish, wait and retry. With `--json`: one JSON object per event on standard output, the last one
/// `{"aid":…,"bvid":…}` (or `{"error":…}`).
final class UploadProgressDisplay: @unchecked Sendable {
    enum Style { case bars, plain, json }

    private let style: Style
    private let lock = NSLock()
    /// The file being uploaded, for the bar and for JSON events.
    private var file = ""
    private var startedAt = Date()
    private var resumedBytes: Int64 = 0
    private var totalBytes: Int64 = 0
    private var barShown = false
    private var lastDraw = Date.distantPast
    private var lastProgressEvent = Date.distantPast

    init(style: Style) { self.style = style }

    /// Bars when standard error is a terminal that can redraw, plain lines otherwise.
    static func style(json: Bool) -> Style {
        if json { return .json }
        let dumb = ProcessInfo.processInfo.environment["TERM"].map { $0.isEmpty || $0 == "dumb" } ?? true
        return isatty(STDERR_FILENO) != 0 && !dumb ? .bars : .plain
    }

    func fileStarting(_ path: String, index: Int, count: Int) {
        locked {
            file = (path as NSString).lastPathComponent
            startedAt = Date()
            resumedBytes = 0
            totalBytes = 0
            switch style {
            case .json: emitJSON(["event": "file", "file": .string(path), "index": .int(Int64(index + 1)), "count": .int(Int64(count))])
            case .plain: note("uploading \(path) (\(index + 1) of \(count))")
            case .bars: break
            }
        }
    }

    func event(_ event: UploadEvent) {
        locked {
            switch event {
            case .lineChosen(let line, let millis):
                let timing = millis.map { " (probe \($0) ms)" } ?? ""
                report(["event": "line", "line": .string(line), "probe_ms": millis.map { .int(Int64($0)) } ?? .null],
                       "\(file): line \(line)\(timing)")
            case .started(let total, let resumed):
                startedAt = Date()
                resumedBytes = resumed
                totalBytes = total
                let already = resumed > 0 ? ", \(formatBytes(resumed)) already there" : ""
                report(["event": "started", "total": .int(total), "resumed": .int(resumed)],
                       "\(file): \(formatBytes(total))\(already)", onBars: false)
                if style == .bars { drawBar(sent: resumed, total: total, force: true) }
            case .progress(let sent, let total):
                progress(sent: sent, total: total)
            case .rateLimited(let retryIn, let attempt):
                report(["event": "rate_limited", "retry_in": .number(retryIn.seconds), "attempt": .int(Int64(attempt))],
                       "\(file): Bilibili says uploads come too fast; trying again in \(Self.wait(retryIn)) (attempt \(attempt))")
            case .resumed(let parts):
                report(["event": "resumed", "parts": .int(Int64(parts))], "\(file): resuming, \(parts) chunk(s) already uploaded")
            case .sessionExpired:
                report(["event": "session_expired"], "\(file): the earlier upload session expired; starting a new one")
            case .retrying(let chunk, let error):
                report(["event": "retry", "chunk": .int(Int64(chunk)), "error": .string(error.description)],
                       "\(file): chunk \(chunk) failed (\(error.description)); retrying")
            case .finished(let video, let seconds):
                finished(video: video, seconds: seconds)
            }
        }
    }

    /// A step of the command itself (the cover, a submission wait).
    func step(_ fields: [String: JSONValue], _ text: String) {
        locked { report(fields, text) }
    }

    func accepted(_ archive: SubmittedArchive, text: String) {
        locked {
            switch style {
            case .json: emitJSON(["aid": .int(archive.aid), "bvid": .string(archive.bvid)])
            case .bars, .plain: FileHandle.standardOutput.write(Data((text + "\n").utf8))
            }
        }
    }

    /// The one line an error gets (and, with --json, a last `{"error":…}` object).
    func failed(_ message: String) {
        locked {
            clearBar()
            if style == .json { emitJSON(["error": .string(message)]) }
            FileHandle.standardError.write(Data("biliup: \(message)\n".utf8))
        }
    }

    // Everything below runs with the lock held.

    private func locked(_ body: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        body()
    }

    private func report(_ fields: [String: JSONValue], _ text: String, onBars: Bool = true) {
        switch style {
        case .json:
            var fields = fields
            if fields["file"] == nil && !file.isEmpty { fields["file"] = .string(file) }
            emitJSON(fields)
        case .plain: note(text)
        case .bars: if onBars { note(text) }
        }
    }

    private func progress(sent: Int64, total: Int64) {
        let now = Date()
        switch style {
        case .bars:
            drawBar(sent: sent, total: total, force: sent == total)
        case .json:
            // A progress object every half second is plenty for a consumer; the final one always goes out.
            guard sent == total || now.timeIntervalSince(lastProgressEvent) >= 0.5 else { return }
            lastProgressEvent = now
            emitJSON(["event": "progress", "file": .string(file), "sent": .int(sent), "total": .int(total)])
        case .plain: break
        }
    }

    private func finished(video: Studio.Video, seconds: Double) {
        clearBar()
        let sent = Double(totalBytes - resumedBytes)
        let rate = seconds > 0 && sent > 0 ? String(format: ", %.1f MiB/s", sent / seconds / Double(1 << 20)) : ""
        let text = "\(file): uploaded \(formatBytes(totalBytes)) in \(String(format: "%.1f", seconds)) s\(rate) as \(video.filename)"
        switch style {
        case .json:
            emitJSON(["event": "finished", "file": .string(file), "filename": .string(video.filename), "seconds": .number(seconds)])
        case .plain, .bars: note(text)
        }
    }

    private func drawBar(sent: Int64, total: Int64, force: Bool) {
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let fraction = total > 0 ? min(1, Double(sent) / Double(total)) : 1
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let elapsed = max(now.timeIntervalSince(startedAt), 0.001)
        let rate = Double(sent - resumedBytes) / elapsed
        let eta = rate > 0 ? Self.clock(Double(total - sent) / rate) : "--:--"
        let line = String(format: "%@ %@ %3d%% %@/%@ %.1f MiB/s ETA %@", Self.shortened(file), bar, Int(fraction * 100),
                          formatBytes(sent), formatBytes(total), rate / Double(1 << 20), eta)
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
        barShown = true
    }

    private func clearBar() {
        guard barShown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
        barShown = false
    }

    private func note(_ text: String) {
        let hadBar = barShown
        clearBar()
        let stamp = style == .plain
            ? ISO8601DateFormatter.string(from: Date(), timeZone: .current, formatOptions: [.withInternetDateTime]) + " " : ""
        FileHandle.standardError.write(Data((stamp + text + "\n").utf8))
        // The bar comes back at the next progress report.
        if hadBar { lastDraw = .distantPast }
    }

    private func emitJSON(_ fields: [String: JSONValue]) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(fields) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    private static func shortened(_ name: String) -> String {
        name.count <= 28 ? name.padding(toLength: 28, withPad: " ", startingAt: 0) : String(name.prefix(27)) + "…"
    }

    private static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 360_000 else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    static func wait(_ duration: Duration) -> String {
        let seconds = duration.seconds
        return seconds >= 60 ? String(format: "%.0f min", seconds / 60) : String(format: "%.0f s", seconds)
    }
}
