@testable import BiliupEngine
@testable import BiliupMedia
import BiliupNet
import Foundation

/// A recording the test plays: it writes a file when told, and ends when told (or when the engine
/// stops it), with the outcome the test chooses. No thread, no network.
final class ScriptedRecording: RecordingRun, @unchecked Sendable {
    let streamer: String
    let root: String
    private let onEvent: @Sendable (RecordingEvent) -> Void
    private let lock = NSLock()
    private var onEnd: (@Sendable (RecordingOutcome) -> Void)?
    private var openFile: String?
    private var files = 0
    private var ended = false
    private var stopAsked = false
    /// When set, `stop()` only notes the request and the test ends the recording itself.
    private var holdsOnStop: Bool

    init(streamer: String, root: String, holdsOnStop: Bool, onEvent: @escaping @Sendable (RecordingEvent) -> Void) {
        self.streamer = streamer
        self.root = root
        self.holdsOnStop = holdsOnStop
        self.onEvent = onEvent
    }

    var status: RecordingStatus { RecordingStatus() }
    var stopRequested: Bool { lock.withLock { stopAsked } }
    var hasEnded: Bool { lock.withLock { ended } }

    func start(onEnd: @escaping @Sendable (RecordingOutcome) -> Void) {
        lock.withLock { self.onEnd = onEnd }
    }

    func stop() {
        let holds = lock.withLock {
            stopAsked = true
            return holdsOnStop
        }
        if !holds { end(.completed(reason: "stopped")) }
    }

    /// Ends on stop from now on (and now, if stop was asked): the engine's shutdown waits for it.
    func release() {
        let asked = lock.withLock {
            holdsOnStop = false
            return stopAsked
        }
        if asked { end(.completed(reason: "stopped")) }
    }

    /// Opens a segment file and writes to it (the engine sees `segmentOpened`).
    func writeFrames() throws {
        let path = lock.withLock { () -> String in
            files += 1
            return "\(root)/\(streamer)/\(streamer)-\(UUID().uuidString.prefix(8))-\(files).flv"
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(repeating: 0x46, count: 4096).write(to: URL(fileURLWithPath: path))
        lock.withLock { openFile = path }
        onEvent(.segmentOpened(path: path))
    }

    /// Closes the open segment while the recording goes on (as a split does), with a report the test
    /// may change; returns its path.
    @discardableResult
    func closeSegment(_ change: (inout SegmentReport) -> Void = { _ in }) -> String? {
        guard let path = lock.withLock({ () -> String? in defer { openFile = nil }; return openFile }) else { return nil }
        var report = SegmentReport(file: (path as NSString).lastPathComponent, format: "flv", startedAt: Date())
        report.bytes = 4096
        report.duration = 10
        report.endReason = "split"
        change(&report)
        onEvent(.segmentClosed(path: path, report: report))
        return path
    }

    /// The segment being written, if any.
    var currentFile: String? { lock.withLock { openFile } }

    /// Closes the open segment (if any), then ends with `outcome`; later calls do nothing.
    func end(_ outcome: RecordingOutcome) {
        let (path, finish) = lock.withLock { () -> (String?, (@Sendable (RecordingOutcome) -> Void)?) in
            guard !ended else { return (nil, nil) }
            ended = true
            defer { openFile = nil }
            return (openFile, onEnd)
        }
        guard let finish else { return }
        if let path {
            var report = SegmentReport(file: (path as NSString).lastPathComponent, format: "flv", startedAt: Date())
            report.bytes = 4096
            report.duration = 10
            report.endReason = "stream ended"
            onEvent(.segmentClosed(path: path, report: report))
        }
        finish(outcome)
    }

    /// The outcome of a stream URL that answers 404 before any frame.
    static let gone = RecordingOutcome.failed(.network(.httpStatus(404, url: "http://cdn.test/live/gone.flv")))
}

/// Every recording the engine made, in order, and how new ones behave.
final class ScriptedRecordings: @unchecked Sendable {
    private let lock = NSLock()
    private var made: [ScriptedRecording] = []
    private var failing: Set<String> = []
    private var holding: Set<String> = []
    let root: String

    init(root: String) {
        self.root = root
    }

    /// The engine's `RecordingLauncher`.
    var launcher: RecordingLauncher {
        { [self] request, onEvent in
            // One lock: a recording counted after `failNew` changed behaves by the change.
            lock.withLock {
                let recording = ScriptedRecording(streamer: request.streamer, root: root, holdsOnStop: holding.contains(request.streamer),
                                                  onEvent: onEvent)
                made.append(recording)
                return failing.contains(request.streamer) ? FailingAtStart(recording) : recording
            }
        }
    }

    /// From now on, `streamer`'s recordings fail at start as a gone stream does (HTTP 404, no frame).
    func failNew(_ streamer: String, _ fails: Bool = true) {
        lock.withLock { if fails { failing.insert(streamer) } else { failing.remove(streamer) } }
    }

    /// From now on, `streamer`'s recordings end only when the test ends them, even when stopped.
    func holdOnStop(_ streamer: String) {
        lock.withLock { _ = holding.insert(streamer) }
    }

    /// No recording holds on stop any more, so the engine can shut down.
    func releaseAll() {
        for recording in lock.withLock({ holding.removeAll(); return made }) { recording.release() }
    }

    func of(_ streamer: String) -> [ScriptedRecording] { lock.withLock { made.filter { $0.streamer == streamer } } }
    var count: Int { lock.withLock { made.count } }
}

/// A scripted recording that ends as soon as it starts, with `ScriptedRecording.gone`.
private final class FailingAtStart: RecordingRun, @unchecked Sendable {
    let recording: ScriptedRecording
    init(_ recording: ScriptedRecording) { self.recording = recording }
    var status: RecordingStatus { recording.status }
    func start(onEnd: @escaping @Sendable (RecordingOutcome) -> Void) {
        recording.start(onEnd: onEnd)
        recording.end(ScriptedRecording.gone)
    }
    func stop() { recording.stop() }
}
