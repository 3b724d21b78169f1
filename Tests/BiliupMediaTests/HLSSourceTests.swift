import BiliupTestSupport
import Foundation
import Synchronization
import Testing
@testable import BiliupMedia
import BiliupNet

/// HLSSource against real HTTP on loopback: `HLSLiveSource` (ffmpeg-made media served live) for the
/// end-to-end shapes, and `ScriptedHLS` (playlists handed out one per request) where a test needs
/// exact control over what each reload sees.
@Suite(.serialized) struct HLSSourceTests {
    // MARK: live streams made by ffmpeg

    @Test func liveTSFromTheLiveEdgeToTheEnd() async throws {
        // Long enough that the stream is still live (no ENDLIST yet) when the client starts, even while
        // the CLI tests load both cores: at 4× the 60 s stream ends 15 s after its clock starts.
        let media = try TestMedia.hlsSegments(seconds: 60, fmp4: false)
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        // A window that keeps everything, so a reload pace of one target duration (2 s real time,
        // 8 s of media at 4×) misses nothing.
        let live = try HLSLiveSource(server: server, name: "ts", media: media, options: .init(speed: 4, window: 100))
        // Start the stream's clock and let segments pile up (10 s of media: 5 segments), so the
        // recording starts at the live edge.
        _ = try await onThread { try fetchText(live.playlistURL.absoluteString) }
        try await Task.sleep(for: .milliseconds(2500))

        let notes = NoteLog()
        let (source, log) = try await onThread {
            let source = try HLSSource(url: live.playlistURL.absoluteString, headers: [("Referer", "https://live.example/")],
                                       proxy: nil, readTimeout: .seconds(5), notes: notes.add)
            return (source, drain(source))
        }
        #expect(source.segmentFormat == .mpegts)
        #expect(source.playlistURL == live.playlistURL.absoluteString)
        guard case .end = log.result else { Issue.record("expected .end, got \(log.result)"); return }
        #expect(log.boundaries.isEmpty)
        let segments = try media.segments.map { try [UInt8](Data(contentsOf: $0)) }
        let start = try #require(segments.firstIndex { log.bytes.starts(with: $0) }, "output does not start with a segment")
        #expect(start >= 2, "started at segment \(start), not at the live edge")
        #expect(log.bytes == segments[start...].flatMap { $0 })
        #expect(source.segmentsFetched == segments.count - start)
        #expect(source.receivedBytes >= Int64(log.bytes.count))
        #expect(notes.all.isEmpty)
    }

    @Test func fmp4StartsWithTheInitSectionAndDemuxes() async throws {
        let media = try TestMedia.hlsSegments(seconds: 8, fmp4: true)
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let live = try HLSLiveSource(server: server, name: "fmp4", media: media, options: .init(speed: 10, window: 100))
        let (source, log) = try await onThread {
            let source = try HLSSource(url: live.playlistURL.absoluteString, headers: [], proxy: nil,
                                       readTimeout: .seconds(5), notes: { _ in })
            return (source, drain(source))
        }
        #expect(source.segmentFormat == .fmp4)
        guard case .end = log.result else { Issue.record("expected .end, got \(log.result)"); return }
        let initSection = try [UInt8](Data(contentsOf: try #require(media.initSection)))
        let segments = try media.segments.map { try [UInt8](Data(contentsOf: $0)) }
        #expect(log.bytes == initSection + segments.flatMap { $0 })

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hls-\(UUID().uuidString).mp4")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(log.bytes).write(to: file)
        let probe = try runTool("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", file.path])
        #expect(probe.status == 0)
        #expect(probe.stderr.isEmpty, "ffprobe: \(probe.stderr)")
        #expect(probe.stdout.split(separator: "\n").sorted() == ["audio", "video"])
    }

    @Test func masterPlaylistLeadsToTheBestVariant() async throws {
        let media = try TestMedia.hlsSegments(seconds: 6, fmp4: false)
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let live = try HLSLiveSource(server: server, name: "master", media: media,
                                     options: .init(speed: 10, window: 100, masterPlaylist: true))
        let (source, log) = try await onThread {
            let source = try HLSSource(url: live.masterURL.absoluteString, headers: [], proxy: nil,
                                       readTimeout: .seconds(5), notes: { _ in })
            return (source, drain(source))
        }
        #expect(source.playlistURL == live.playlistURL.absoluteString)
        #expect(source.variant?.resolution == Resolution(width: media.width, height: media.height))
        guard case .end = log.result else { Issue.record("expected .end, got \(log.result)"); return }
        let segments = try media.segments.map { try [UInt8](Data(contentsOf: $0)) }
        #expect(log.bytes == segments.flatMap { $0 })
    }

    @Test func discontinuityIsABoundary() async throws {
        let media = try TestMedia.hlsSegments(seconds: 10, fmp4: false)
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let live = try HLSLiveSource(server: server, name: "disc", media: media,
                                     options: .init(speed: 10, window: 100, discontinuityAt: 3))
        let notes = NoteLog()
        let log = try await drainLive(live, notes: notes)
        guard case .end = log.result else { Issue.record("expected .end, got \(log.result)"); return }
        let segments = try media.segments.map { try [UInt8](Data(contentsOf: $0)) }
        #expect(log.boundaries == ["discontinuity"])
        #expect(log.parts.count == 2)
        #expect(log.parts.first == segments[..<3].flatMap { $0 })
        #expect(log.parts.last == segments[3...].flatMap { $0 })
        #expect(notes.all == [.discontinuity])
    }

    @Test func segmentFailingOnceIsRetried() async throws {
        let media = try TestMedia.hlsSegments(seconds: 10, fmp4: false)
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let live = try HLSLiveSource(server: server, name: "retry", media: media,
                                     options: .init(speed: 10, window: 100, failSegmentOnce: 2))
        let notes = NoteLog()
        let log = try await drainLive(live, notes: notes)
        guard case .end = log.result else { Issue.record("expected .end, got \(log.result)"); return }
        let segments = try media.segments.map { try [UInt8](Data(contentsOf: $0)) }
        #expect(log.bytes == segments.flatMap { $0 })
        #expect(live.segmentRequests == segments.count + 1)
        #expect(notes.all.isEmpty)
    }

    @Test(arguments: [false, true])
    func demuxesAcrossADiscontinuity(fmp4: Bool) async throws {
        let media = try TestMedia.hlsSegments(seconds: 8, fmp4: fmp4)
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let live = try HLSLiveSource(server: server, name: "demux", media: media,
                                     options: .init(speed: 10, window: 100, discontinuityAt: 2))
        // What libavformat reads from the source, demuxer by demuxer: packets per input and how each ended.
        let inputs = try await onThread { () throws -> [(video: Int, audio: Int, end: String)] in
            let source = try HLSSource(url: live.playlistURL.absoluteString, headers: [], proxy: nil,
                                       readTimeout: .seconds(5), notes: { _ in })
            var inputs: [(video: Int, audio: Int, end: String)] = []
            while inputs.count < 4 {
                let demuxer = try LibavDemuxer(source: source, format: source.segmentFormat == .fmp4 ? "mov" : "mpegts")
                var counts = (video: 0, audio: 0)
                while true {
                    switch demuxer.next() {
                    case .packet(let p):
                        if demuxer.tracks[p.track].kind == .video { counts.video += 1 } else { counts.audio += 1 }
                        continue
                    case .tracksChanged:
                        continue
                    case .finished(let how):
                        inputs.append((counts.video, counts.audio, "\(how)"))
                    }
                    break
                }
                if !inputs.last!.end.hasPrefix("boundary") { break }
            }
            return inputs
        }
        #expect(inputs.map(\.end) == ["boundary(\"discontinuity\")", "end"])
        #expect(inputs.map(\.video) == [100, 100])  // 25 fps: two 2-s segments before the discontinuity, two after
        #expect(inputs.allSatisfy { $0.audio > 0 })
    }

    // MARK: scripted playlists

    @Test func vodStartsAtTheFirstSegmentAndLiveAtTheEdge() async throws {
        let vod = try ScriptedHLS([.ok(ScriptedHLS.playlist(0..<6, end: true))])
        let vodLog = try await onThread { drain(try vod.open()) }
        #expect(vodLog.bytes == (0..<6).flatMap(ScriptedHLS.fakeTS))
        guard case .end = vodLog.result else { Issue.record("expected .end, got \(vodLog.result)"); return }

        let live = try ScriptedHLS([.ok(ScriptedHLS.playlist(0..<6)), .ok(ScriptedHLS.playlist(0..<7, end: true))])
        let liveLog = try await onThread { drain(try live.open()) }
        #expect(liveLog.bytes == (3..<7).flatMap(ScriptedHLS.fakeTS))
        guard case .end = liveLog.result else { Issue.record("expected .end, got \(liveLog.result)"); return }
    }

    @Test func longVODIsReadWhole() async throws {
        let count = HLSSegmentFetcher.maxQueuedSegments + 10
        let hls = try ScriptedHLS([.ok(ScriptedHLS.playlist(0..<count, end: true))])
        hls.failures["/live/seg3.ts"] = Int.max
        let log = try await onThread { drain(try hls.open()) }
        guard case .end = log.result else { Issue.record("expected .end, got \(log.result)"); return }
        #expect(log.bytes == (0..<count).filter { $0 != 3 }.flatMap(ScriptedHLS.fakeTS))
    }

    @Test func sequenceGapIsNotedAndRecordingGoesOn() async throws {
        let hls = try ScriptedHLS([
            .ok(ScriptedHLS.playlist(0..<3)),
            .ok(ScriptedHLS.playlist(5..<8, end: true)),
        ])
        let notes = NoteLog()
        let log = try await onThread { drain(try hls.open(notes: notes)) }
        guard case .end = log.result else { Issue.record("expected .end, got \(log.result)"); return }
        #expect(log.bytes == [0, 1, 2, 5, 6, 7].flatMap(ScriptedHLS.fakeTS))
        #expect(notes.all == [.sequenceGap(from: 3, to: 4)])
        #expect(log.boundaries.isEmpty)
    }

    @Test func segmentFailingForGoodIsSkippedAndNoted() async throws {
        let hls = try ScriptedHLS([.ok(ScriptedHLS.playlist(0..<4, end: true))])
        hls.failures["/live/seg1.ts"] = Int.max
        let notes = NoteLog()
        let log = try await onThread { drain(try hls.open(notes: notes)) }
        guard case .end = log.result else { Issue.record("expected .end, got \(log.result)"); return }
        #expect(log.bytes == [0, 2, 3].flatMap(ScriptedHLS.fakeTS))
        #expect(hls.requests("/live/seg1.ts") == HLSSegmentFetcher.maxAttempts)
        #expect(notes.all.count == 1)
        guard case .segmentFailed(let uri, let reason)? = notes.all.first else { return }
        #expect(uri == hls.url("seg1.ts"))
        #expect(reason.contains("HTTP 503"), "\(reason)")
    }

    @Test func prefetchRunsAtMostThreeDownloadsAtOnce() async throws {
        let hls = try ScriptedHLS([.ok(ScriptedHLS.playlist(0..<9, end: true))])
        hls.segmentDelay = 0.15
        let log = try await onThread { drain(try hls.open()) }
        #expect(log.bytes == (0..<9).flatMap(ScriptedHLS.fakeTS))
        #expect(hls.maxConcurrentSegments == HLSSegmentFetcher.maxInFlight)
    }

    @Test func reloadsArePacedByTheTargetDuration() async throws {
        // Target 0.4 s, read timeout 1 s: the playlist never changes after the first load, so reloads come
        // every 0.2 s (half the target; the first after 0.4 s) until 1.2 s (three targets) pass without a
        // new segment. Timers fire late, never early, so on the source's own clock reload k starts at
        // least (k - 1) × 0.2 s after the pacer's start, and a reload follows only one that found no
        // stall: at most 7 reloads, however loaded the machine (6 when nothing is late). Reloading at
        // the 0.1 s floor instead, as a source ignoring the target would, makes about 12.
        // HLSReloadPacerTests pin the exact intervals.
        let hls = try ScriptedHLS([.ok(ScriptedHLS.playlist(0..<1, target: "0.4"))])
        let log = try await onThread { drain(try hls.open(readTimeout: .seconds(1))) }
        guard case .failed(.stalled(let seconds)) = log.result else { Issue.record("got \(log.result)"); return }
        #expect(seconds >= 1.2)
        let requests = hls.playlistTimes.count
        #expect(requests >= 2 && requests <= 1 + 7, "\(requests) playlist requests")
    }

    @Test func fmp4NewInitSectionAndDiscontinuity() async throws {
        let hls = try ScriptedHLS([
            .ok(ScriptedHLS.playlist(0..<2, map: "init1.mp4")),
            .ok(ScriptedHLS.playlist(0..<2, map: "init1.mp4") + "#EXT-X-MAP:URI=\"init2.mp4\"\n#EXTINF:0.2,\nseg2.m4s\n"
                + "#EXT-X-DISCONTINUITY\n#EXTINF:0.2,\nseg3.m4s\n#EXT-X-ENDLIST\n"),
        ])
        let notes = NoteLog()
        let (format, log) = try await onThread {
            let source = try hls.open(notes: notes)
            return (source.segmentFormat, drain(source))
        }
        #expect(format == .fmp4)
        guard case .end = log.result else { Issue.record("expected .end, got \(log.result)"); return }
        #expect(log.boundaries == ["new initialization section", "discontinuity"])
        let i1 = ScriptedHLS.fakeInit(1), i2 = ScriptedHLS.fakeInit(2)
        #expect(log.parts == [i1 + ScriptedHLS.fakeFragment(0) + ScriptedHLS.fakeFragment(1),
                              i2 + ScriptedHLS.fakeFragment(2),
                              i2 + ScriptedHLS.fakeFragment(3)])
        #expect(hls.requests("/live/init2.mp4") == 1)  // repeated from memory after the discontinuity
        #expect(notes.all == [.discontinuity, .discontinuity])
    }

    @Test func byteRangesWithAndWithoutServerSupport() async throws {
        let whole = (0..<3).flatMap(ScriptedHLS.fakeTS)
        let n = ScriptedHLS.fakeTS(0).count
        let text = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-VERSION:4\n"
            + "#EXTINF:1,\n#EXT-X-BYTERANGE:\(n)@0\nall.ts\n#EXTINF:1,\n#EXT-X-BYTERANGE:\(n)\nall.ts\n"
            + "#EXTINF:1,\n#EXT-X-BYTERANGE:\(n)\nall.ts\n#EXT-X-ENDLIST\n"
        for honour in [true, false] {
            let hls = try ScriptedHLS([.ok(text)])
            hls.bodies["/live/all.ts"] = whole
            hls.honourRanges = honour
            let log = try await onThread { drain(try hls.open()) }
            #expect(log.bytes == whole, "ranges honoured: \(honour)")
            #expect(hls.ranges.sorted() == ["bytes=0-\(n - 1)", "bytes=\(n)-\(2 * n - 1)", "bytes=\(2 * n)-\(3 * n - 1)"].sorted())
        }
    }

    @Test func restartedStreamIsADiscontinuity() async throws {
        let hls = try ScriptedHLS([
            .ok(ScriptedHLS.playlist(100..<103)),
            .ok(ScriptedHLS.playlist(0..<2, names: "new", end: true)),
        ])
        hls.bodies["/live/new0.ts"] = ScriptedHLS.fakeTS(1000)
        hls.bodies["/live/new1.ts"] = ScriptedHLS.fakeTS(1001)
        let log = try await onThread { drain(try hls.open()) }
        guard case .end = log.result else { Issue.record("expected .end, got \(log.result)"); return }
        #expect(log.boundaries == ["discontinuity"])
        #expect(log.parts == [(100..<103).flatMap(ScriptedHLS.fakeTS), [1000, 1001].flatMap(ScriptedHLS.fakeTS)])
    }

    // MARK: endings and failures

    @Test func initial404FailsWithTheStatus() async throws {
        let hls = try ScriptedHLS([.status(404)])
        let error = await onThread { () -> MediaError? in
            do throws(MediaError) { _ = try hls.open(); return nil } catch { return error }
        }
        guard case .network(.httpStatus(404, let url))? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(url == hls.url("index.m3u8"))
    }

    @Test func htmlInsteadOfAPlaylist() async throws {
        let hls = try ScriptedHLS([.ok("<html>\n<body>room closed</body></html>\n")])
        let error = await onThread { () -> MediaError? in
            do throws(MediaError) { _ = try hls.open(); return nil } catch { return error }
        }
        guard case .invalidPlaylist(let m)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(m == "not an M3U8 playlist (39 bytes without #EXTM3U)")
    }

    @Test func playlistGone404AfterLiveIsTheEnd() async throws {
        let hls = try ScriptedHLS([.ok(ScriptedHLS.playlist(0..<3)), .status(404)])
        let log = try await onThread { drain(try hls.open()) }
        guard case .end = log.result else { Issue.record("expected .end, got \(log.result)"); return }
        #expect(log.bytes == (0..<3).flatMap(ScriptedHLS.fakeTS))
    }

    @Test func malformedReloadFailsAfterRetries() async throws {
        let hls = try ScriptedHLS([
            .ok(ScriptedHLS.playlist(0..<3)),
            .ok("#EXTM3U\n#EXT-X-TARGETDURATION:0.2\n#EXTINF:abc,\nseg3.ts\n"),
        ])
        let log = try await onThread { drain(try hls.open()) }
        #expect(log.bytes == (0..<3).flatMap(ScriptedHLS.fakeTS))
        guard case .failed(.invalidPlaylist(let m)) = log.result else { Issue.record("got \(log.result)"); return }
        #expect(m == "line 3: EXTINF: \"abc\" is not a number")
        #expect(hls.playlistTimes.count == 1 + HLSSource.maxMalformedReloads)
    }

    @Test func encryptionAppearingMidStreamIsUnsupported() async throws {
        let hls = try ScriptedHLS([
            .ok(ScriptedHLS.playlist(0..<2)),
            .ok("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\"\n#EXTINF:1,\nseg2.ts\n"),
        ])
        let log = try await onThread { drain(try hls.open()) }
        #expect(log.bytes == (0..<2).flatMap(ScriptedHLS.fakeTS))
        guard case .failed(.unsupported(let m)) = log.result else { Issue.record("got \(log.result)"); return }
        #expect(m == "encrypted HLS (METHOD=AES-128)")
    }

    @Test func playlistThatStopsChangingStalls() async throws {
        let hls = try ScriptedHLS([.ok(ScriptedHLS.playlist(0..<3))])
        let log = try await onThread { drain(try hls.open(readTimeout: .seconds(1))) }
        #expect(log.bytes == (0..<3).flatMap(ScriptedHLS.fakeTS))
        // Stalled, not cancelled by drain's 30 s guard: the source gave up by itself, at a reload that
        // found the playlist unchanged for the read timeout (the stall limit over three 0.2 s targets).
        guard case .failed(.stalled(let seconds)) = log.result else { Issue.record("got \(log.result)"); return }
        #expect(seconds >= 1)
        #expect(hls.playlistTimes.count >= 2)
    }

    @Test func unreachableReloadsEndWithTheNetworkError() async throws {
        let hls = try ScriptedHLS([.ok(ScriptedHLS.playlist(0..<2)), .status(503)])
        let log = try await onThread { drain(try hls.open(readTimeout: .seconds(1))) }
        #expect(log.bytes == (0..<2).flatMap(ScriptedHLS.fakeTS))
        guard case .failed(.network(.httpStatus(503, _))) = log.result else { Issue.record("got \(log.result)"); return }
    }

    @Test func cancelWakesABlockedRead() async throws {
        let hls = try ScriptedHLS([.ok(ScriptedHLS.playlist(0..<1))])
        let source = try await onThread { try hls.open(readTimeout: .seconds(30)) }
        // Cancelled a moment after the only segment was read, so the next read is waiting for more. Left
        // waiting, it would end as stalled after its 30 s read timeout, before drain's guard cancels at
        // 60 s: ending as cancelled shows the cancel woke it.
        let segmentBytes = ScriptedHLS.fakeTS(0).count
        let log = await onThread {
            drain(source, limit: .seconds(60)) { readSoFar in
                guard readSoFar == segmentBytes else { return }
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { source.cancel() }
            }
        }
        #expect(log.bytes == ScriptedHLS.fakeTS(0))
        guard case .failed(.cancelled) = log.result else { Issue.record("got \(log.result)"); return }
    }

    @Test func unknownSegmentBytesFailTheOpen() async throws {
        let hls = try ScriptedHLS([.ok(ScriptedHLS.playlist(0..<1, end: true))])
        hls.bodies["/live/seg0.ts"] = Array("<html>oops</html>".utf8)
        let error = await onThread { () -> MediaError? in
            do throws(MediaError) { _ = try hls.open(); return nil } catch { return error }
        }
        guard case .notAStream(let m)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(m.contains("neither MPEG-TS nor fMP4"))
    }

    @Test func emptyLivePlaylistWaitsForTheFirstSegment() async throws {
        let hls = try ScriptedHLS([
            .ok("#EXTM3U\n#EXT-X-TARGETDURATION:0.2\n#EXT-X-MEDIA-SEQUENCE:4\n"),
            .ok(ScriptedHLS.playlist(4..<6, end: true)),
        ])
        let (format, log) = try await onThread {
            let source = try hls.open()
            return (source.segmentFormat, drain(source))
        }
        #expect(format == .mpegts)
        #expect(log.bytes == (4..<6).flatMap(ScriptedHLS.fakeTS))
    }
}

// MARK: - helpers

/// What `drain` read: the bytes between boundaries, the boundaries' reasons, and how it ended.
struct ReadLog: Sendable {
    var parts: [[UInt8]] = [[]]
    var boundaries: [String] = []
    var result: SourceRead = .end
    var bytes: [UInt8] { parts.flatMap { $0 } }
}

/// Reads `source` to its end (or `limit`, after which it is cancelled so a broken test cannot hang).
/// `afterBytes` is told the total of bytes read after each read that brought some.
func drain(_ source: HLSSource, limit: Duration = .seconds(30), afterBytes: (Int) -> Void = { _ in }) -> ReadLog {
    DispatchQueue.global().asyncAfter(deadline: .now() + limit.seconds) { [weak source] in source?.cancel() }
    var log = ReadLog()
    var buffer = [UInt8](repeating: 0, count: 64 << 10)
    var total = 0
    while true {
        let r = buffer.withUnsafeMutableBytes { source.read(into: $0.baseAddress!, capacity: $0.count) }
        switch r {
        case .bytes(let n):
            log.parts[log.parts.count - 1] += buffer[..<n]
            total += n
            afterBytes(total)
        case .boundary(let reason):
            log.boundaries.append(reason)
            log.parts.append([])
        case .end, .failed:
            log.result = r
            return log
        }
    }
}

/// Runs blocking work on a thread of its own, off Swift's small cooperative pool.
/// Reads a live source through HLSSource to its end, off the cooperative pool.
func drainLive(_ live: HLSLiveSource, notes: NoteLog) async throws -> ReadLog {
    try await onThread {
        drain(try HLSSource(url: live.playlistURL.absoluteString, headers: [], proxy: nil,
                            readTimeout: .seconds(5), notes: notes.add))
    }
}

func fetchText(_ url: String) throws -> String {
    let response = try HLSBlockingFetch.run(HTTPRequest(url: url)).get()
    return response.text
}

final class NoteLog: Sendable {
    private let notes = Mutex<[SourceNote]>([])
    var add: @Sendable (SourceNote) -> Void { { note in self.notes.withLock { $0.append(note) } } }
    var all: [SourceNote] { notes.withLock { $0 } }
}

/// A live HLS server whose playlist answers come from a script, one step per request (the last step
/// repeats), with tiny synthetic segments: exact control over what every reload sees.
final class ScriptedHLS: @unchecked Sendable {
    enum Step { case ok(String), status(Int) }

    private let server: LoopbackHTTPServer
    private let lock = NSLock()
    private let steps: [Step]
    // Guarded by `lock`; set up before `open`.
    var bodies: [String: [UInt8]] = [:]
    var failures: [String: Int] = [:]
    var segmentDelay = 0.0
    var honourRanges = true
    private var times: [ContinuousClock.Instant] = []
    private var counts: [String: Int] = [:]
    private var active = 0
    private var maxActive = 0
    private var seenRanges: [String] = []

    init(_ steps: [Step]) throws {
        self.steps = steps
        server = try LoopbackHTTPServer()
        server.route("/live/index.m3u8") { [self] _, response in
            let step: Step = lock.withLock {
                times.append(.now)
                return steps[min(times.count - 1, steps.count - 1)]
            }
            switch step {
            case .ok(let text):
                response.send(status: 200, headers: ["Content-Type": "application/vnd.apple.mpegurl"], body: Data(text.utf8))
            case .status(let s):
                response.send(status: s, body: Data("status \(s)\n".utf8))
            }
        }
        server.setFallback { [self] request, response in serveSegment(request, response) }
    }

    deinit { server.stop() }

    func url(_ name: String) -> String { "http://127.0.0.1:\(server.port)/live/\(name)" }

    func open(notes: NoteLog = NoteLog(), readTimeout: Duration = .seconds(5)) throws(MediaError) -> HLSSource {
        try HLSSource(url: url("index.m3u8"), headers: [], proxy: nil, readTimeout: readTimeout, notes: notes.add)
    }

    var playlistTimes: [ContinuousClock.Instant] { lock.withLock { times } }
    var maxConcurrentSegments: Int { lock.withLock { maxActive } }
    var ranges: [String] { lock.withLock { seenRanges } }
    func requests(_ path: String) -> Int { lock.withLock { counts[path, default: 0] } }

    private func serveSegment(_ request: LoopbackRequest, _ response: ResponseWriter) {
        let (body, fail, delay): ([UInt8]?, Bool, Double) = lock.withLock {
            counts[request.path, default: 0] += 1
            active += 1
            maxActive = max(maxActive, active)
            if let range = request.headers["range"] { seenRanges.append(range) }
            var fail = false
            if let left = failures[request.path], left > 0 {
                failures[request.path] = left == Int.max ? left : left - 1
                fail = true
            }
            return (bodies[request.path] ?? ScriptedHLS.defaultBody(request.path), fail, segmentDelay)
        }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        defer { lock.withLock { active -= 1 } }
        guard let body, !fail else {
            return response.send(status: fail ? 503 : 404)
        }
        if honourRanges, let range = request.headers["range"], range.hasPrefix("bytes=") {
            let bounds = range.dropFirst(6).split(separator: "-").compactMap { Int($0) }
            if bounds.count == 2, bounds[1] < body.count {
                return response.send(status: 206, body: Data(body[bounds[0]...bounds[1]]))
            }
        }
        response.send(status: 200, body: Data(body))
    }

    private static func defaultBody(_ path: String) -> [UInt8]? {
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        if name.hasPrefix("seg"), name.hasSuffix(".ts"), let n = Int(name.dropFirst(3).dropLast(3)) { return fakeTS(n) }
        if name.hasPrefix("seg"), name.hasSuffix(".m4s"), let n = Int(name.dropFirst(3).dropLast(4)) { return fakeFragment(n) }
        if name.hasPrefix("init"), name.hasSuffix(".mp4"), let n = Int(name.dropFirst(4).dropLast(4)) { return fakeInit(n) }
        return nil
    }

    /// Three MPEG-TS-shaped packets (0x47 sync bytes 188 apart) that carry `n`.
    static func fakeTS(_ n: Int) -> [UInt8] {
        (0..<3).flatMap { p -> [UInt8] in
            [0x47, UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF), UInt8(p)] + [UInt8](repeating: UInt8(n % 251), count: 184)
        }
    }

    static func fakeInit(_ n: Int) -> [UInt8] { [0, 0, 0, 12] + Array("ftyp".utf8) + [0, 0, 0, UInt8(n)] }
    static func fakeFragment(_ n: Int) -> [UInt8] { [0, 0, 0, 12] + Array("moof".utf8) + [0, 0, 1, UInt8(n)] }

    /// A media playlist listing `seq` (sequence numbers = segment numbers) as `<names><n>.ts`, or
    /// `seg<n>.m4s` under an EXT-X-MAP.
    static func playlist(_ seq: Range<Int>, target: String = "0.2", names: String = "seg", map: String? = nil,
                         end: Bool = false) -> String {
        var text = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:\(target)\n#EXT-X-MEDIA-SEQUENCE:\(seq.lowerBound)\n"
        if let map { text += "#EXT-X-MAP:URI=\"\(map)\"\n" }
        for n in seq { text += "#EXTINF:\(target),\n\(names)\(n).\(map == nil ? "ts" : "m4s")\n" }
        if end { text += "#EXT-X-ENDLIST\n" }
        return text
    }
}
