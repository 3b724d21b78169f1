@testable import BiliupMedia
import CFFmpeg
import Testing

@Suite struct TimelineRepairTests {
    typealias S = RepairSample
    typealias P = SeenPacket

    private func videoOnly() -> [Track] { [S.track(0, .video)] }

    private func fix(at: Double, _ kind: String, _ deltaMs: Int64) -> RepairNote {
        .timestampFixed(.init(at: at, track: "video", kind: kind, deltaMs: deltaMs))
    }

    @Test func theTimelineStartsAtZeroAndKeepsCompositionOffsets() {
        let run = RuleRun(TimelineRepair())
        run.begin(videoOnly())
        let out = run.push([S.packet(0, dts: 5000, pts: 5080, key: true), S.packet(0, dts: 5040, pts: 5120)])
        #expect(out == [P(0, 0, pts: 80, key: true), P(0, 40, pts: 120)])
        #expect(run.takeNotes() == [])
    }

    @Test func aBackwardStepContinuesWithTheLastStep() {
        let run = RuleRun(TimelineRepair())
        run.begin(videoOnly())
        #expect(run.push([S.video(0), S.video(40), S.video(80)]) == [.v(0), .v(40), .v(80)])
        #expect(run.push(S.video(20)) == [.v(120)])
        #expect(run.takeNotes() == [fix(at: 0.08, "backwards", -60)])
        #expect(run.push(S.video(60)) == [.v(160)])
        #expect(run.takeNotes() == [])
    }

    @Test func aForwardJumpOverTheLimitIsClosed() {
        let run = RuleRun(TimelineRepair())
        run.begin(videoOnly())
        #expect(run.push([S.video(0), S.video(40), S.video(80), S.video(5080), S.video(5120)])
                == [.v(0), .v(40), .v(80), .v(120), .v(160)])
        #expect(run.takeNotes() == [fix(at: 0.08, "jump", 5000)])
        // A step just under the limit is a real pause and stays.
        #expect(run.push(S.video(6110)) == [.v(1150)])
        #expect(run.takeNotes() == [])
    }

    @Test func aMissingTimestampContinuesWithTheLastStep() {
        let run = RuleRun(TimelineRepair())
        run.begin(videoOnly())
        let none = shim_AV_NOPTS_VALUE()
        #expect(run.push([S.video(0), S.video(40), S.packet(0, dts: none, pts: none)]) == [.v(0), .v(40), .v(80)])
        #expect(run.takeNotes() == [fix(at: 0.04, "missing", 0)])
    }

    @Test func aNewInputContinuesAfterTheFurthestPointOfAnyTrack() {
        let run = RuleRun(TimelineRepair())
        run.begin(S.videoAndAudio())
        #expect(run.push([S.video(0), S.audio(10), S.video(40), S.audio(33)]) == [.v(0), .a(10), .v(40), .a(33)])
        // Video reached 40 + its 40 ms step = 80 (audio only 33 + 23): the new input starts there, all
        // tracks moved by the same amount, so audio leading the video by 10 ms still does.
        run.begin(S.videoAndAudio(), followsReconnect: true)
        #expect(run.push([S.video(7000), S.audio(6990), S.video(7040), S.audio(7013)]) == [.v(80), .a(70), .v(120), .a(93)])
        #expect(run.takeNotes() == [])
    }

    @Test func aShiftFoundByTheRepeatedDataFilterKeepsTheOldTimeline() {
        let run = RuleRun(TimelineRepair())
        run.begin(videoOnly())
        #expect(run.push([S.video(0), S.video(40), S.video(80)]) == [.v(0), .v(40), .v(80)])
        // The new input is the old timeline 5 s later; frame 160 was lost in the reconnect and stays a gap.
        run.begin(videoOnly(), followsReconnect: true)
        run.input?.timelineShiftMicros = 5_000_000
        #expect(run.push([S.video(5120), S.video(5200), S.video(5240)]) == [.v(120), .v(200), .v(240)])
        #expect(run.takeNotes() == [])
    }
}
