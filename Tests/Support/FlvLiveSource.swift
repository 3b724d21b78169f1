import Foundation
import Synchronization

/// Serves FLV files as one live HTTP-FLV stream at `/live/<name>.flv`, paced like a CDN edge.
///
/// The clock starts when the first client connects; a tag is due once its program time is at most
/// elapsed × `speed`. Each connection gets the FLV header, the script tag, the current sequence headers,
/// then the GOP cache (tags from the latest keyframe to the live point, which is why a reconnecting
/// client receives data again) and then tags as they fall due. After the last tag (unless looping) the
/// connection is closed and the path answers 404: the broadcast is over.
public final class FlvLiveSource: Sendable {
    public struct Options: Sendable {
        /// Media seconds per real second.
        public var speed: Double
        /// Program times (seconds) at which the connection then passing them is closed cleanly after a
        /// whole tag; each fires once.
        public var cutAfterSeconds: [Double]
        /// From this program time on, every timestamp sent is `byMilliseconds` larger.
        public var timestampJump: (atSeconds: Double, byMilliseconds: Int)?
        /// From this program time on, every timestamp sent is `byMilliseconds` smaller (never below 0).
        public var backwardStep: (atSeconds: Double, byMilliseconds: Int)?
        /// Repeat the files forever with timestamps continuing, for benchmarks.
        public var loop: Bool

        public init(speed: Double = 1, cutAfterSeconds: [Double] = [],
                    timestampJump: (atSeconds: Double, byMilliseconds: Int)? = nil,
                    backwardStep: (atSeconds: Double, byMilliseconds: Int)? = nil, loop: Bool = false) {
            self.speed = speed
            self.cutAfterSeconds = cutAfterSeconds
            self.timestampJump = timestampJump
            self.backwardStep = backwardStep
            self.loop = loop
        }
    }

    public let url: URL
    let program: FlvProgram
    let options: Options
    private let state: Mutex<State>

    private struct State {
        var clockStart: ContinuousClock.Instant?
        /// Cut times not yet fired, in program milliseconds.
        var pendingCuts: [Int]
        /// Per connection, the sequence numbers it has handed to the kernel.
        var sentRanges: [Range<Int>] = []
        /// Program milliseconds of the latest tag sent on any connection.
        var sentUntil: Int?
    }

    /// Plays `files` back to back as one stream; later files' timestamps continue after earlier ones'.
    public convenience init(server: LoopbackHTTPServer, name: String, files: [URL], options: Options = Options()) throws {
        self.init(server: server, name: name, program: try FlvProgram(files: files), options: options)
    }

    public convenience init(server: LoopbackHTTPServer, name: String, file: URL, options: Options = Options()) throws {
        try self.init(server: server, name: name, files: [file], options: options)
    }

    /// Shares an already parsed program, so many sources cost one copy of the media.
    public init(server: LoopbackHTTPServer, name: String, program: FlvProgram, options: Options = Options()) {
        let path = "/live/\(name).flv"
        url = server.baseURL.appendingPathComponent(String(path.dropFirst()))
        self.program = program
        self.options = options
        state = Mutex(State(pendingCuts: options.cutAfterSeconds.map(Self.milliseconds).sorted()))
        server.route(path) { [self] _, response in connect(response) }
    }

    /// Connections that got the stream (not those answered 404).
    public var connectionsServed: Int { state.withLock { $0.sentRanges.count } }

    /// Distinct video frames (`FlvTag.isFrame`) sent at least once on any connection. Sent means handed
    /// to the kernel: a client that hangs up may not have read the last few.
    public var videoFramesSent: Int { framesSent().video }

    /// Distinct audio frames (`FlvTag.isFrame`) sent at least once on any connection.
    public var audioFramesSent: Int { framesSent().audio }

    /// Program time (seconds) of the latest tag sent; 0 before any.
    public var sentUntilMediaTime: Double {
        Double(state.withLock { $0.sentUntil } ?? 0) / 1000
    }

    /// The program time (seconds) due now: what a viewer of the live stream is seeing at this instant
    /// (0 before the first client connected). Chat stand-ins stamp messages with it (acceptance 2).
    public var liveMediaSeconds: Double {
        Double(livePoint(at: .now)) / 1000
    }

    // MARK: - For connections

    /// The program time due at `now`.
    func livePoint(at now: ContinuousClock.Instant) -> Int {
        guard let start = state.withLock({ $0.clockStart }) else { return 0 }
        return livePoint(clockStart: start, now: now)
    }

    /// The timestamp to send for program time `time`, with the configured jump and step applied.
    func outputTimestamp(_ time: Int) -> Int {
        var shifted = time
        if let jump = options.timestampJump, time >= Self.milliseconds(jump.atSeconds) { shifted += jump.byMilliseconds }
        if let step = options.backwardStep, time >= Self.milliseconds(step.atSeconds) { shifted -= step.byMilliseconds }
        return max(shifted, 0)  // FLV timestamps are unsigned
    }

    /// Whether a connection that sent a tag at `lastSent` and is about to send one at `next` must be cut
    /// in between; a cut fires only once.
    func takeCut(after lastSent: Int, before next: Int) -> Bool {
        state.withLock { state in
            guard let index = state.pendingCuts.firstIndex(where: { lastSent <= $0 && $0 < next }) else { return false }
            state.pendingCuts.remove(at: index)
            return true
        }
    }

    func recordSent(connection: Int, range: Range<Int>, lastTime: Int) {
        state.withLock { state in
            state.sentRanges[connection] = range
            state.sentUntil = max(state.sentUntil ?? lastTime, lastTime)
        }
    }

    // MARK: - Private

    private func connect(_ response: ResponseWriter) {
        let now = ContinuousClock.now
        let joined: (connection: Int, sequence: Int)? = state.withLock { state in
            let start = state.clockStart ?? now
            state.clockStart = start
            let live = livePoint(clockStart: start, now: now)
            guard options.loop || live <= program.lastTime else { return nil }
            let sequence = program.joinPoint(live: live)
            state.sentRanges.append(sequence..<sequence)
            return (state.sentRanges.count - 1, sequence)
        }
        guard let joined else {
            response.send(status: 404, body: Data("stream is over\n".utf8))
            return
        }
        guard response.sendHead(headers: ["Content-Type": "video/x-flv", "Cache-Control": "no-cache"]) else { return }
        StreamPacer.shared.add(FlvLiveConnection(source: self, response: response,
                                                 number: joined.connection, start: joined.sequence))
    }

    private func livePoint(clockStart: ContinuousClock.Instant, now: ContinuousClock.Instant) -> Int {
        Self.milliseconds((now - clockStart) / .seconds(1) * options.speed)
    }

    private func framesSent() -> (video: Int, audio: Int) {
        let ranges = state.withLock { $0.sentRanges }.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        var total = (video: 0, audio: 0)
        var covered = Int.min  // ranges overlap where a reconnect repeated the GOP cache; count each frame once
        for range in ranges where range.upperBound > covered {
            let frames = program.frames(in: max(range.lowerBound, covered)..<range.upperBound)
            total = (total.video + frames.video, total.audio + frames.audio)
            covered = range.upperBound
        }
        return total
    }

    private static func milliseconds(_ seconds: Double) -> Int {
        Int((seconds * 1000).rounded(.down))
    }
}
