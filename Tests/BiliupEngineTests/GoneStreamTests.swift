@testable import BiliupEngine
import BiliupScript
import BiliupStore
import Foundation
import Testing

/// A stream that is gone ends its session: a plugin that cannot tell (a direct FLV URL is always
/// "live") keeps saying live, and every recording fails to open (HTTP 404). Those recordings wrote
/// nothing, so they do not count as live: the session ends `delay` after its last frame.
@Suite struct GoneStreamTests {
    @Test func aSessionEndsDelayAfterItsLastFrameWhileChecksSayLive() async throws {
        let h = try EngineHarness(EngineHarness.streamers("gone"))
        try await h.start()
        h.rooms.set("gone", liveWithTitle: "stream")
        let first = try await h.recording("gone")
        try first.writeFrames()
        h.recordings.failNew("gone")
        first.end(.completed(reason: "stream ended (HTTP 404)"))
        await h.until("waiting for the delay") { await h.phase("gone") == .waiting }
        let lastFrame = h.clock.now

        // Checks say live; every recording fails at once. Time passes between the attempts.
        for _ in 0..<3 {
            let attempts = h.recordings.of("gone").count
            await h.until("two more attempts") { h.recordings.of("gone").count >= attempts + 2 }
            #expect(try h.sessions("gone")[0].isOpen)
            h.clock.advance(by: EngineHarness.delay / 4)
        }
        await h.settled()
        #expect(h.said("gone", "live again within delay: same session"))
        #expect(h.events(.streamEnd, "gone").isEmpty)

        h.clock.advance(by: EngineHarness.delay / 4)
        await h.until("stream_end") { !h.events(.streamEnd, "gone").isEmpty }
        let session = try h.sessions("gone")[0]
        #expect(session.endReason == "stream ended")
        #expect(session.endedAt.map { $0.timeIntervalSince(lastFrame) } == EngineHarness.delay)
        #expect(session.segmentCount == 1)

        // Still "live", still failing: no session is opened for attempts that write nothing.
        let attempts = h.recordings.of("gone").count
        await h.until("more attempts") { h.recordings.of("gone").count >= attempts + 3 }
        #expect(try h.sessions("gone").count == 1)
        await h.settled()
        #expect(h.events(.streamStart, "gone").count == 1)
        await h.stop()
    }

    @Test func aStreamThatNeverOpensStartsNoSession() async throws {
        let h = try EngineHarness(EngineHarness.streamers("gone"))
        h.recordings.failNew("gone")
        try await h.start()
        h.rooms.set("gone", liveWithTitle: "stream")
        await h.until("three attempts") { h.recordings.of("gone").count >= 3 }
        #expect(try h.sessions("gone").isEmpty)
        await h.settled()
        #expect(h.events(.streamStart, "gone").isEmpty)
        #expect(h.said("gone", "recording failed: HTTP 404"))
        #expect(await h.phase("gone") != .waiting)

        // The stream comes back: the first frame opens the session.
        h.recordings.failNew("gone", false)
        let attempts = h.recordings.of("gone").count
        let recording = try await h.recording("gone", attempts + 1)
        #expect(try h.sessions("gone").isEmpty, "a session before the first frame")
        try recording.writeFrames()
        await h.until("the session") { try h.sessions("gone").count == 1 }
        await h.settled()
        #expect(h.events(.streamStart, "gone").count == 1)
        await h.stop()
    }
}
