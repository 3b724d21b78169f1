import BiliupMedia
import Foundation

/// Prints what recordings do. On a terminal: one live status line per recording, redrawn every second,
/// with log lines scrolling above. Elsewhere: plain timestamped log lines only.
final class ConsoleLog: @unchecked Sendable {
    private let interactive: Bool
    private let lock = NSLock()
    private var statusLines = 0

    init(interactive: Bool) { self.interactive = interactive }

    func line(_ text: String) { emit(text) }
    func error(_ text: String) { emit("error: \(text)") }

    func event(_ e: RecordingEvent, tag: String) {
        switch e {
        case .segmentOpened(let path): emit("\(tag)recording \(path)")
        case .segmentClosed(let path, let r):
            var extra: [String] = []
            if !r.timestampFixes.isEmpty { extra.append("\(r.timestampFixes.count) timestamp fixes") }
            if !r.reconnects.isEmpty { extra.append("\(r.reconnects.count) reconnects") }
            if !r.gaps.isEmpty { extra.append("\(r.gaps.count) gaps") }
            if let d = r.danmaku {
                var chat = "danmaku \(d.file): \(d.messages) messages"
                if d.dropped > 0 { chat += ", \(d.dropped) dropped" }
                if !d.gaps.isEmpty { chat += ", \(d.gaps.count) chat gaps" }
                extra.append(chat)
            }
            let notes = extra.isEmpty ? "" : ", " + extra.joined(separator: ", ")
            emit(String(format: "%@closed %@ (%.1f s, %@%@)", tag, path, r.duration, formatBytes(r.bytes), notes))
        case .reconnecting(let reason): emit("\(tag)reconnecting: \(reason)")
        }
    }

    private func emit(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        let stamp = interactive ? "" : ISO8601DateFormatter.string(from: Date(), timeZone: .current,
                                                                    formatOptions: [.withInternetDateTime]) + " "
        var out = clearStatus()
        out += stamp + text + "\n"
        FileHandle.standardError.write(Data(out.utf8))
    }

    /// Called with the lock held: erases the status block so a log line can take its place.
    private func clearStatus() -> String {
        guard interactive, statusLines > 0 else { return "" }
        let s = String(repeating: "\u{1B}[1A\u{1B}[2K", count: statusLines) + "\r"
        statusLines = 0
        return s
    }

    /// Redraws status lines until every recording has ended; returns their outcomes in order.
    func watch(_ recordings: [Recording], tags: [String]) -> [RecordingOutcome] {
        var previous = recordings.map { ($0.status.receivedBytes, Date()) }
        var outcomes = [RecordingOutcome?](repeating: nil, count: recordings.count)
        while let next = outcomes.firstIndex(where: { $0 == nil }) {
            outcomes[next] = recordings[next].wait(timeout: .seconds(1))
            for i in outcomes.indices where outcomes[i] == nil {
                outcomes[i] = recordings[i].wait(timeout: .zero)
            }
            guard interactive else { continue }
            var lines: [String] = []
            for (i, r) in recordings.enumerated() {
                let s = r.status
                let now = Date()
                let rate = Double(s.receivedBytes - previous[i].0) * 8 / max(now.timeIntervalSince(previous[i].1), 0.001)
                previous[i] = (s.receivedBytes, now)
                let elapsed = Int(now.timeIntervalSince(s.startedAt))
                let file = s.currentFile.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "-"
                let clock = String(format: "%02d:%02d:%02d", elapsed / 3600, elapsed / 60 % 60, elapsed % 60)
                lines.append("\(tags[i])\(s.state.rawValue) \(clock)  \(formatBytes(s.writtenBytes))  "
                             + String(format: "%.2f Mbit/s", rate / 1e6) + "  \(file)")
            }
            lock.lock()
            let out = clearStatus() + lines.map { $0 + "\n" }.joined()
            statusLines = lines.count
            FileHandle.standardError.write(Data(out.utf8))
            lock.unlock()
        }
        lock.lock()
        FileHandle.standardError.write(Data(clearStatus().utf8))
        lock.unlock()
        return outcomes.map { $0! }
    }
}

func formatBytes(_ bytes: Int64) -> String {
    let b = Double(bytes)
    if b >= Double(1 << 30) { return String(format: "%.2f GiB", b / Double(1 << 30)) }
    if b >= Double(1 << 20) { return String(format: "%.1f MiB", b / Double(1 << 20)) }
    if b >= Double(1 << 10) { return String(format: "%.0f KiB", b / Double(1 << 10)) }
    return "\(bytes) B"
}
