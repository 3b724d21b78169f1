@testable import BiliupEngine
import BiliupDanmaku
import BiliupNet
import BiliupScript
import BiliupStore
import BiliupTestSupport
import BiliupValues
import Foundation
import Synchronization
import Testing

/// Acceptance 2 through the engine: a streamer with `danmaku = true` found live records a paced live
/// FLV source split into 3 segments while the Bilibili chat stand-in sends messages stamped with the
/// source's stream time. Real recorder, real chat connection (wss remapped to the stand-in), real
/// capture: each segment gets its XML, every message is in exactly one of them, at its place.
@Suite(.serialized) struct DanmakuRecordingTests {
    /// A platform whose one room is live with the source's stream and the stand-in's chat; its danmaku
    /// step answers what the bilibili plugin's does: the chat server (getDanmuInfo's host) and a token.
    static func chatRoom(flv: String, standIn: BilibiliChatStandIn, live: @escaping @Sendable () -> Bool) -> LiveRoomChecker {
        LiveRoomChecker(plugin: "chatroom", title: "Chat night", flv: flv, live: live, danmaku: (
            parameters: ["protocol": "bilibili", "room_id": .int(standIn.roomID)],
            connection: ["url": .string(standIn.chatURL), "token": .string(standIn.token), "uid": .int(standIn.viewerUID),
                         "headers": .object(["Cookie": "buvid3=standin"])]))
    }

    @Test func threeSegmentsGetThreeXMLFilesWithEveryMessageOnceAtItsPlace() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        // 12 s at real speed, split every 4 s: cuts at the keyframes of 4 and 8 s (keyframes every 2 s).
        let source = try FlvLiveSource(server: server, name: "chat", file: try TestMedia.flv(seconds: 12))
        let sent = 100
        // 10 a second: all of them go out while the video is live (10 s from about when the recording starts,
        // of 12), and the last 4-second segment gets some too.
        let standIn = try BilibiliChatStandIn(script: ChatScript(messages: sent, perSecond: 10, kinds: [.chat],
                                                                 stamp: { _ in String(format: "%.3f", source.liveMediaSeconds) }))
        defer { standIn.stop() }
        let room = Self.chatRoom(flv: source.url.absoluteString, standIn: standIn, live: { source.sentUntilMediaTime < 11.9 })

        let all = try await Self.record(room, remapRules: standIn.remapRules, split: 4)
        let segments = all.filter { $0.kind == .segment }
        try #require(segments.count == 3, "\(all.map { "\($0.kind.rawValue): \($0.message)" })")

        // The segment events name the XML beside each video.
        let videos = segments.compactMap { if case .string(let p)? = $0.data["path"] { URL(fileURLWithPath: p) } else { nil } }
        for (event, video) in zip(segments, videos) {
            #expect(event.data["xml"] == .string(video.deletingPathExtension().appendingPathExtension("xml").path))
        }
        #expect(standIn.sent.count == sent)
        let alignment = try DanmakuAlignment(videos: videos)
        let problems = alignment.problems(sent: sent)
        #expect(problems.isEmpty, "\(problems)")
        #expect(alignment.segments.map(\.entries.count).reduce(0, +) == sent)
        #expect(alignment.segments.allSatisfy { !$0.entries.isEmpty })
        // The reports (store, sidecar) count them, and the chat registered once, with heartbeats answered.
        for (event, segment) in zip(segments, alignment.segments) {
            guard case .object(let report)? = event.data["report"], case .object(let danmaku)? = report["danmaku"] else {
                Issue.record("segment report without danmaku: \(event.data)")
                continue
            }
            #expect(danmaku["messages"] == .int(Int64(segment.entries.count)))
            #expect(danmaku["dropped"] == .int(0))
            #expect(danmaku["file"] == .string(segment.xml.lastPathComponent))
        }
        #expect(standIn.report.registrations >= 1 && standIn.report.refusals.isEmpty, "\(standIn.report.refusals)")
        #expect(room.danmakuSteps.load(ordering: .relaxed) >= 1)
        // Live chat went out as live-only danmaku events of the streamer.
        #expect(all.contains { $0.kind == .danmaku && $0.streamer == "ann" })
        #expect(!all.contains { $0.kind == .error && $0.message.hasPrefix("danmaku:") }, "\(all.filter { $0.kind == .error }.map(\.message))")
    }

    /// A chat server that refuses every connection: one warning for the whole failing cycle, the video
    /// recorded all the same, and its XML written (empty, its header saying so).
    @Test func aChatThatFailsNeverStopsTheVideo() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let source = try FlvLiveSource(server: server, name: "quiet", file: try TestMedia.flv(seconds: 6))
        let standIn = try BilibiliChatStandIn(script: ChatScript(messages: 0))
        standIn.stop()  // its port now refuses connections
        let room = Self.chatRoom(flv: source.url.absoluteString, standIn: standIn, live: { source.sentUntilMediaTime < 5.9 })
        let run = try await Self.record(room, remapRules: standIn.remapRules, split: nil)
        let segments = run.filter { $0.kind == .segment }
        try #require(segments.count == 1, "\(run.map { "\($0.kind.rawValue): \($0.message)" })")
        guard case .string(let path)? = segments[0].data["path"], case .string(let xml)? = segments[0].data["xml"] else {
            Issue.record("segment event without path or xml: \(segments[0].data)")
            return
        }
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try DanmakuAlignment.entries(in: String(contentsOfFile: xml, encoding: .utf8)).isEmpty)
        let warnings = run.filter { $0.kind == .error && $0.level == .warn && $0.message.hasPrefix("danmaku: ") }
        #expect(warnings.count == 1, "\(warnings.map(\.message))")
        #expect(room.danmakuSteps.load(ordering: .relaxed) >= 1)
    }

    /// Runs an engine with one `danmaku = true` streamer on `room` until its session ends; the events.
    static func record(_ room: LiveRoomChecker, remapRules: [String], split: Double?) async throws -> [EngineEvent] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-engine-tests/danmaku-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try Store(path: dir.appendingPathComponent("biliup.sqlite3").path)
        var global = GlobalOptions()
        global.dataDir = dir.path
        global.recordingsRoot = dir.appendingPathComponent("rec").path
        global.recording.checkInterval = 0.2
        global.recording.delay = 0
        global.recording.minSegmentBytes = 0
        global.recording.splitSeconds = split
        global.recording.output = "{streamer}/%H-%M-%S"
        let streamer = StreamerDeclaration(name: "ann", urls: ["https://chatroom.test/1"], danmaku: true)
        let config = OrchestrationConfig(file: dir.appendingPathComponent("main.lua").path, global: global, templates: [], streamers: [streamer])
        var remap = HostRemap()
        for rule in remapRules { try remap.add(rule) }
        let bus = EventBus()
        let events = Shared<[EngineEvent]>([])
        let stream = bus.subscribe()
        Task { for await e in stream { events.change { list in list.append(e) } } }
        let engine = Engine(config: config, store: store, checker: room, bus: bus, rates: PlatformRates(defaultPerSecond: 100),
                            environment: EngineEnvironment(chatNetwork: ChatNetworkSettings(hostRemap: remap)))
        try await engine.start()
        // The session ends when the source is over (delay 0): every segment event is out by then.
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline, !events.value.contains(where: { $0.kind == .streamEnd }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        await engine.stop()
        return events.value
    }
}
