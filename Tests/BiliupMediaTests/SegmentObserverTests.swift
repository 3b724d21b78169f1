@testable import BiliupMedia
import BiliupTestSupport
import Foundation
import Synchronization
import Testing

/// How companion files learn about segments: the arrival clock's estimate of each file's first frame, and
/// a real recording telling an observer as files open and close.
@Suite struct SegmentObserverTests {
    // MARK: - The arrival clock

    /// Feeds packets every 40 ms of stream time from `from` to `to` seconds, each arriving `delay(s)`
    /// after `base + s`.
    private func feed(_ clock: ArrivalClock, base: Double, from: Double, to: Double, delay: (Double) -> Double) {
        for i in 0..<Int(((to - from) / 0.04).rounded()) {
            let s = from + Double(i) * 0.04
            clock.mark(at: base + s + delay(s))
            clock.observe(streamMicros: Int64((s * 1e6).rounded()))
        }
    }

    @Test func offsetIsTheLeastDelayedArrival() {
        let clock = ArrivalClock()
        #expect(clock.offset == nil)
        let base = 1_000.0
        var rng = SystemRandomNumberGenerator()
        let delays = (0..<250).map { _ in Double.random(in: 0.05...0.5, using: &rng) }
        feed(clock, base: base, from: 0, to: 10) { s in
            let i = Int((s / 0.04).rounded())
            return i == 125 ? 0.01 : delays[i]
        }
        #expect(abs(clock.offset! - (base + 0.01)) < 1e-6)
        // A file opening at 8 s whose keyframe came 0.3 s late: its first frame is put at 8.01.
        let origin = clock.origin(streamMicros: 8_000_000, arrival: base + 8.3)
        #expect(abs(origin.firstFrameAt.timeIntervalSinceReferenceDate - (base + 8.01)) < 1e-6)
        #expect(abs(origin.arrivalLag - 0.29) < 1e-6)
    }

    @Test func windowForgetsArrivalsOlderThanTwentySecondsOfStream() {
        let clock = ArrivalClock()
        feed(clock, base: 0, from: 0, to: 1) { _ in 0 }
        feed(clock, base: 0, from: 1, to: 15) { _ in 0.2 }
        #expect(abs(clock.offset! - 0) < 1e-9)
        feed(clock, base: 0, from: 15, to: 25) { _ in 0.2 }
        #expect(abs(clock.offset! - 0.2) < 1e-9)
        // A packet far behind the window changes nothing.
        clock.mark(at: -100)
        clock.observe(streamMicros: 0)
        #expect(abs(clock.offset! - 0.2) < 1e-9)
    }

    /// HLS: each 2 s media segment arrives whole 0.3 s after it ends. The minimum picks the live edge, so a
    /// cut at a segment's keyframe is put where the stream really was, and the lag says the frame came
    /// almost a segment later.
    @Test func hlsBurstsAreTimedAtTheLiveEdge() {
        let clock = ArrivalClock()
        for segment in 0..<5 {
            let arrival = Double(segment) * 2 + 2.3
            for i in 0..<50 {
                clock.mark(at: arrival)
                clock.observe(streamMicros: Int64(segment) * 2_000_000 + Int64(i) * 40_000)
            }
        }
        #expect(abs(clock.offset! - 0.34) < 1e-6)
        let origin = clock.origin(streamMicros: 8_000_000, arrival: 10.3)
        #expect(abs(origin.firstFrameAt.timeIntervalSinceReferenceDate - 8.34) < 1e-6)
        #expect(abs(origin.arrivalLag - 1.96) < 1e-6)
    }

    @Test func resetStartsOverAfterAReconnect() {
        let clock = ArrivalClock()
        feed(clock, base: 0, from: 0, to: 5) { _ in 0.1 }
        clock.reset()
        #expect(clock.offset == nil && clock.resets == 1)
        // Without a sample the frame is its own estimate.
        let alone = clock.origin(streamMicros: 5_000_000, arrival: 42)
        #expect(alone.firstFrameAt.timeIntervalSinceReferenceDate == 42 && alone.arrivalLag == 0)
        // The timeline continued while the wall clock jumped 7 s.
        feed(clock, base: 7, from: 5, to: 6) { _ in 0.1 }
        #expect(abs(clock.offset! - 7.1) < 1e-9)
    }

    // MARK: - A real recording

    private final class Observer: SegmentObserver, @unchecked Sendable {
        struct Call {
            var what: String
            var path: String
            var at: Date
            var thread: UInt
            var firstFrameAt: Date?
            var arrivalLag: Double?
            var programDateTime: Date?
            /// At closing: the video was still its `.part`.
            var stillPart: Bool?
        }

        let calls = Mutex<[Call]>([])
        /// Which thread calls (pthread_t is an integer on Linux).
        static var threadID: UInt { UInt(pthread_self()) }

        func answer(for path: String) -> SegmentReport.Danmaku {
            let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            return .init(file: name + ".xml", messages: name.count, dropped: 1, offset: 0.25,
                         gaps: [.init(at: 1.5, seconds: 2, reason: "test gap")])
        }

        func segmentOpened(path: String, firstFrameAt: Date, arrivalLag: Double, programDateTime: Date?) {
            calls.withLock { $0.append(Call(what: "open", path: path, at: Date(), thread: Self.threadID,
                                            firstFrameAt: firstFrameAt, arrivalLag: arrivalLag, programDateTime: programDateTime)) }
        }

        func segmentClosing(path: String, firstFrameAt: Date?) -> SegmentReport.Danmaku? {
            let part = FileManager.default.fileExists(atPath: path + ".part") && !FileManager.default.fileExists(atPath: path)
            calls.withLock { $0.append(Call(what: "close", path: path, at: Date(), thread: Self.threadID, firstFrameAt: firstFrameAt,
                                            stillPart: part)) }
            return answer(for: path)
        }

        func recordingEnded() {
            calls.withLock { $0.append(Call(what: "end", path: "", at: Date(), thread: Self.threadID)) }
        }
    }

    /// A recording of `url` into `seg` files in `dir`, told to an `Observer`, run to its end.
    private func recordObserved(_ url: String, into dir: URL, configure: (inout RecordingOptions) -> Void = { _ in }) async
        -> (outcome: RecordingOutcome, observer: Observer, closed: [(path: String, report: SegmentReport)]) {
        var options = RecordingOptions(endpoint: StreamEndpoint(url: url), output: OutputTemplate(root: dir.path, pattern: "seg"))
        configure(&options)
        let observer = Observer()
        options.segmentObserver = observer
        let closed = Mutex<[(path: String, report: SegmentReport)]>([])
        let recording = Recording(options: options) { event in
            if case .segmentClosed(let path, let report) = event { closed.withLock { $0.append((path, report)) } }
        }
        let outcome = await withCheckedContinuation { done in recording.start { done.resume(returning: $0) } }
        return (outcome, observer, closed.withLock { $0 })
    }

    private func scratchFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-observer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func observerHearsEachFileOpenAndCloseWithItsFirstFrameTime() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let source = try FlvLiveSource(server: server, name: "room", file: try TestMedia.flv(seconds: 12))
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let started = Date()
        let (outcome, observer, closed) = await recordObserved(source.url.absoluteString, into: dir) {
            $0.split = SplitPolicy(maxDuration: .seconds(4))
        }
        guard case .completed = outcome else { Issue.record("recording failed: \(outcome)"); return }

        let calls = observer.calls.withLock { $0 }
        let files = closed.map(\.path)
        #expect(files.count == 3)
        func index(_ path: String) -> Int { files.firstIndex(of: path).map { $0 + 1 } ?? 0 }
        // The next file opens at the cut; the previous one closes once late audio has passed it.
        #expect(calls.map { $0.what == "end" ? "end" : "\($0.what) \(index($0.path))" }
                == ["open 1", "open 2", "close 1", "open 3", "close 2", "close 3", "end"])
        // All on the recording's one thread.
        #expect(Set(calls.map(\.thread)).count == 1)
        #expect(calls.filter { $0.what == "close" }.allSatisfy { $0.stillPart == true })

        let opens = calls.filter { $0.what == "open" }
        for open in opens {
            let first = try #require(open.firstFrameAt)
            let lag = try #require(open.arrivalLag)
            // The frame arrived `lag` after the instant it belongs to: after the recording started and
            // before the observer heard of it.
            #expect(lag >= 0)
            #expect(open.programDateTime == nil)  // FLV has no origin stamps
            #expect(first.addingTimeInterval(lag) <= open.at)
            #expect(first.addingTimeInterval(lag) >= started)
        }
        // Files are 4 s of stream apart; the estimate only improves (a smaller minimum), never moves later.
        for (a, b) in zip(opens, opens.dropFirst()) {
            let step = b.firstFrameAt!.timeIntervalSince(a.firstFrameAt!)
            #expect(step > 0 && step <= 4.05, "first frames \(step) s apart")
        }
        // At its close a file's first frame is placed again, with what the clock learnt since: never later
        // than at its opening (the minimum only falls within the window).
        let closes = calls.filter { $0.what == "close" }
        for close in closes {
            let open = try #require(opens.first { $0.path == close.path })
            let refined = try #require(close.firstFrameAt)
            #expect(refined <= open.firstFrameAt!.addingTimeInterval(0.001), "\(refined.timeIntervalSince(open.firstFrameAt!)) s")
        }
        // The observer's answer is in the report: the sidecar and the closed event.
        for (path, report) in closed {
            #expect(report.danmaku == observer.answer(for: path))
            #expect(SegmentReport.readSidecar(for: path)?.danmaku == observer.answer(for: path))
        }
    }

    /// HLS with EXT-X-PROGRAM-DATE-TIME: each file's first frame is put on the origin's clock, from the
    /// stamp of the segment it came from (ts and fMP4 alike).
    @Test(arguments: [false, true])
    func programDateTimePlacesEachFileOnTheOriginsClock(fmp4: Bool) async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let stamp = Date(timeIntervalSince1970: 1_700_000_000.25)
        let live = try HLSLiveSource(server: server, name: fmp4 ? "pdt-fmp4" : "pdt-ts", media: try TestMedia.hlsSegments(seconds: 12, fmp4: fmp4),
                                     options: .init(speed: 4, window: 100, programDateTime: stamp))
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (outcome, observer, closed) = await recordObserved(live.playlistURL.absoluteString, into: dir) {
            $0.split = SplitPolicy(maxDuration: .seconds(4))
        }
        guard case .completed = outcome else { Issue.record("recording failed: \(outcome)"); return }

        let opens = observer.calls.withLock { $0 }.filter { $0.what == "open" }
        let reports = closed.map(\.report)
        #expect(opens.count == 3 && reports.count == 3)
        let stamps = opens.compactMap(\.programDateTime)
        try #require(stamps.count == opens.count, "every file of a stamped stream has its origin time")
        // The first file starts at segment 0 (its stamp is the segment's first sample: an audio frame,
        // 23 ms from the keyframe); each next one a file's length of stream later.
        #expect(abs(stamps[0].timeIntervalSince(stamp)) < 0.05, "\(stamps[0].timeIntervalSince(stamp)) s")
        for i in 1..<stamps.count {
            let step = stamps[i].timeIntervalSince(stamps[i - 1])
            #expect(abs(step - reports[i - 1].duration) < 0.1, "file \(i): \(step) s after the one before, which lasts \(reports[i - 1].duration) s")
        }
    }

    /// A file that spans a reconnect is not placed again at its close: the clock started over on a new
    /// timeline (repaired timestamps run on while the wall clock jumped), so its opening's estimate stands.
    @Test func aFileAcrossAReconnectKeepsItsOpeningTime() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let source = try FlvLiveSource(server: server, name: "cut", file: try TestMedia.flv(seconds: 6),
                                       options: .init(speed: 2, cutAfterSeconds: [3]))
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (outcome, observer, _) = await recordObserved(source.url.absoluteString, into: dir) {
            $0.reconnect.initialDelay = .milliseconds(100)
        }
        guard case .completed = outcome else { Issue.record("recording failed: \(outcome)"); return }
        #expect(source.connectionsServed == 2, "the cut made a second connection")
        let calls = observer.calls.withLock { $0 }
        #expect(calls.map(\.what) == ["open", "close", "end"])
        #expect(calls.first { $0.what == "open" }?.firstFrameAt != nil)
        #expect(calls.first { $0.what == "close" }?.firstFrameAt == nil)
    }
}
