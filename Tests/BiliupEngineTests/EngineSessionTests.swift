@testable import BiliupEngine
import BiliupNet
import BiliupScript
import BiliupStore
import Foundation
import Testing

/// The engine's session logic in process: a real Engine, Store and scheduler, a fake platform whose
/// rooms the test switches live and offline, recordings the test ends, and a clock the test moves, so
/// `delay` is crossed by advancing the clock, never by sleeping.
@Suite struct EngineSessionTests {
    @Test func aStreamBackWithinTheDelayContinuesItsSession() async throws {
        let h = try EngineHarness(EngineHarness.streamers("alice"))
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "Evening show")
        let first = try await h.recording("alice")
        try first.writeFrames()
        await h.until("stream_start") { !h.events(.streamStart, "alice").isEmpty }
        h.rooms.set("alice", liveWithTitle: nil)
        first.end(.completed(reason: "stream ended"))
        await h.until("waiting for the delay") { await h.phase("alice") == .waiting }

        h.clock.advance(by: EngineHarness.delay - 1)
        h.rooms.set("alice", liveWithTitle: "Evening show")
        let second = try await h.recording("alice", 2)
        try second.writeFrames()
        await h.until("the second segment in the store") { try h.store.segments(sessionId: h.sessions("alice")[0].id!).count == 2 }
        await h.settled()
        #expect(h.said("alice", "live again within delay: same session"))
        #expect(try h.sessions("alice").count == 1)
        await h.settled()
        #expect(h.events(.streamStart, "alice").count == 1)
        #expect(h.events(.streamEnd, "alice").isEmpty)
        await h.stop()
    }

    @Test func aSessionEndsDelayAfterTheStreamEnded() async throws {
        let h = try EngineHarness(EngineHarness.streamers("alice"))
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "Evening show")
        let first = try await h.recording("alice")
        try first.writeFrames()
        h.rooms.set("alice", liveWithTitle: nil)
        first.end(.completed(reason: "stream ended"))
        await h.until("waiting for the delay") { await h.phase("alice") == .waiting }
        let lastFrame = h.clock.now
        await h.checked("alice")
        #expect(try h.sessions("alice")[0].isOpen, "ended before its delay")

        h.clock.advance(by: EngineHarness.delay)
        await h.until("stream_end") { !h.events(.streamEnd, "alice").isEmpty }
        let session = try h.sessions("alice")[0]
        #expect(session.endReason == "stream ended")
        #expect(session.endedAt.map { $0.timeIntervalSince(lastFrame) } == EngineHarness.delay)
        #expect(session.segmentCount == 1)
        let end = try #require(h.events(.streamEnd, "alice").first)
        #expect(end.data["segments"] == .array(try h.store.segments(sessionId: session.id!).map { .string($0.path) }))

        // Live again after the delay: a new broadcast.
        h.rooms.set("alice", liveWithTitle: "Late show")
        try await h.recording("alice", 2).writeFrames()
        await h.until("a second session") { try h.sessions("alice").count == 2 }
        #expect(try h.sessions("alice")[1].title == "Late show")
        await h.stop()
    }

    @Test func aThirdLiveRoomWaitsForAFreeSlot() async throws {
        let h = try EngineHarness(EngineHarness.streamers("a", "b", "c"), maxRecordings: 2)
        try await h.start()
        for name in ["a", "b"] { h.rooms.set(name, liveWithTitle: "show") }
        let a = try await h.recording("a")
        _ = try await h.recording("b")
        h.rooms.set("c", liveWithTitle: "show")
        await h.until("c queued") { await h.phase("c") == .queued }
        await h.settled()
        #expect(h.said("c", "waiting for a free recording slot (max_recordings = 2)"))
        await h.checked("c")  // a queued room goes on being checked; it stays queued
        #expect(h.recordings.of("c").isEmpty)
        #expect(await h.engine.status().queue == ["c"])

        h.rooms.set("a", liveWithTitle: nil)
        a.end(.completed(reason: "stream ended"))
        let c = try await h.recording("c")
        try c.writeFrames()
        await h.until("c's session") { try h.sessions("c").count == 1 }
        #expect(await h.phase("c") == .recording)
        #expect(await h.engine.status().queue.isEmpty)
        await h.stop()
    }

    @Test func aStreamerRemovedWhileRecordingFinishesItsRecordingThenEndsItsSession() async throws {
        let h = try EngineHarness(EngineHarness.streamers("alice", "bob"))
        h.recordings.holdOnStop("alice")
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "show")
        let recording = try await h.recording("alice")
        try recording.writeFrames()
        await h.until("the segment in the store") { try h.sessions("alice").first.map { try h.store.segments(sessionId: $0.id!).count } == 1 }

        var config = h.config
        config.streamers.removeAll { $0.name == "alice" }
        try await h.engine.apply(config)
        #expect(recording.stopRequested)
        #expect(try h.sessions("alice")[0].isOpen, "the session ended before its recording finished")

        recording.end(.completed(reason: "stopped"))
        await h.until("stream_end") { !h.events(.streamEnd, "alice").isEmpty }
        let session = try h.sessions("alice")[0]
        #expect(session.endReason == "streamer removed")
        #expect(try h.store.segments(sessionId: session.id!).map(\.state) == [.finished])

        // Declared again: watched and recorded again.
        try await h.engine.apply(h.config)
        try await h.recording("alice", 2).writeFrames()
        await h.until("a new session") { try h.sessions("alice").count == 2 }
        await h.stop()
    }

    @Test func aPausedStreamerIsNeitherCheckedNorRecordedUntilResumed() async throws {
        let h = try EngineHarness(EngineHarness.streamers("alice", "bob"))
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "show")
        let recording = try await h.recording("alice")
        try recording.writeFrames()
        await h.until("the session") { try h.sessions("alice").count == 1 }

        _ = try await h.engine.pause(id: h.id("alice"))
        await h.until("stream_end") { !h.events(.streamEnd, "alice").isEmpty }
        #expect(recording.hasEnded)
        #expect(try h.sessions("alice")[0].endReason == "paused")
        #expect(try h.store.streamer(named: "alice")?.paused == true)
        let checksWhenPaused = h.rooms.checkCount("alice")
        await h.checked("bob", times: 5)
        #expect(h.rooms.checkCount("alice") <= checksWhenPaused + 1, "a check running at the pause may still finish")
        #expect(h.recordings.of("alice").count == 1)
        #expect(await h.phase("alice") == .paused)

        _ = try await h.engine.resume(id: h.id("alice"))
        try await h.recording("alice", 2).writeFrames()
        await h.until("a new session") { try h.sessions("alice").count == 2 }
        await h.settled()
        #expect(h.said("alice", "resumed"))
        await h.stop()
    }

    @Test func aStoppedBroadcastIsNotRecordedAgainUntilTheRoomWasOffline() async throws {
        let h = try EngineHarness(EngineHarness.streamers("alice"))
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "show")
        let recording = try await h.recording("alice")
        try recording.writeFrames()
        await h.until("the session") { try h.sessions("alice").count == 1 }

        _ = try await h.engine.stop(id: h.id("alice"))
        await h.until("stream_end") { !h.events(.streamEnd, "alice").isEmpty }
        #expect(try h.sessions("alice")[0].endReason == "stopped by the user")
        await h.checked("alice")  // still live: checked, not recorded
        #expect(h.recordings.of("alice").count == 1)
        #expect(await h.phase("alice") == .stopped)

        h.rooms.set("alice", liveWithTitle: nil)
        await h.checked("alice")
        h.rooms.set("alice", liveWithTitle: "show")
        try await h.recording("alice", 2).writeFrames()
        await h.until("a new session") { try h.sessions("alice").count == 2 }
        await h.stop()
    }

    @Test func startRecordsABroadcastItsTitleFilterRefuses() async throws {
        let h = try EngineHarness([StreamerDeclaration(name: "alice", urls: [FakeRooms.url("alice")], titleInclude: ["music"])])
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "cooking")
        await h.until("the refusal") { h.said("alice", "live but not recorded: title \"cooking\" has none of \"music\"") }
        await h.checked("alice")
        #expect(h.recordings.count == 0)
        await h.settled()
        #expect(h.events.filter { $0.message.contains("live but not recorded") }.count == 1, "said once, not at every check")

        _ = try await h.engine.start(id: h.id("alice"))
        try await h.recording("alice").writeFrames()
        await h.until("the session") { try h.sessions("alice").count == 1 }
        #expect(try h.sessions("alice")[0].title == "cooking")
        await h.stop()
    }

    @Test func lowFreeSpaceRefusesNewRecordingsAndStopsRunningOnes() async throws {
        let h = try EngineHarness(EngineHarness.streamers("alice", "bob"))
        h.freeDiskBytes.value = EngineHarness.minFreeDiskBytes - 1
        try await h.start()
        h.rooms.set("alice", liveWithTitle: "show")
        await h.until("the refusal") { h.said("alice", "live, but not recorded: free disk space is below min_free_disk (1024 MiB)") }
        await h.checked("alice")
        #expect(h.recordings.count == 0)

        h.freeDiskBytes.value = EngineHarness.minFreeDiskBytes
        let recording = try await h.recording("alice")
        try recording.writeFrames()
        await h.until("the session") { try h.sessions("alice").count == 1 }

        h.freeDiskBytes.value = EngineHarness.minFreeDiskBytes - 1
        h.clock.advance(by: Engine.diskCheckInterval.seconds)
        await h.until("the recording stopped") { recording.hasEnded }
        await h.settled()
        #expect(h.events.contains { $0.kind == .error && $0.message.contains("stopping 1 recording(s)") })
        await h.until("the segment finished") { try h.store.segments(sessionId: h.sessions("alice")[0].id!).map(\.state) == [.finished] }
        await h.stop()
    }
}
