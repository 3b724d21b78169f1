@testable import BiliupMedia
import Testing

@Suite struct KeyframeGateTests {
    typealias S = RepairSample
    typealias P = SeenPacket

    @Test func dropsWhatPrecedesTheFirstKeyframeAndKeepsAudioJustBeforeIt() {
        let run = RuleRun(KeyframeGate())
        run.begin(S.videoAndAudio())
        #expect(run.push(S.video(0)) == [])
        #expect(run.push(S.audio(10)) == [])
        #expect(run.push(S.video(40)) == [])
        #expect(run.push(S.audio(150)) == [])
        #expect(run.takeNotes() == [.dropped(.beforeKeyframe), .dropped(.beforeKeyframe)])
        // Audio within 100 ms of the keyframe goes out ahead of it; a10 is older and dropped.
        #expect(run.push(S.video(200, key: true)) == [.a(150), .v(200, key: true)])
        #expect(run.takeNotes() == [.dropped(.beforeKeyframe)])
        // The gate is open: everything passes as it comes, keyframe or not.
        #expect(run.push([S.video(240), S.audio(170), S.video(280)]) == [.v(240), .a(170), .v(280)])
        #expect(run.takeNotes() == [])
    }

    @Test func everyInputWaitsForItsOwnKeyframe() {
        let run = RuleRun(KeyframeGate())
        run.begin(S.videoAndAudio())
        #expect(run.push(S.video(0, key: true)) == [.v(0, key: true)])
        run.begin(S.videoAndAudio(), followsReconnect: true)
        #expect(run.push([S.video(500), S.video(540)]) == [])
        #expect(run.push(S.video(580, key: true)) == [.v(580, key: true)])
        #expect(run.takeNotes() == [.dropped(.beforeKeyframe), .dropped(.beforeKeyframe)])
    }

    @Test func audioOnlyInputPassesAtOnce() {
        let run = RuleRun(KeyframeGate())
        run.begin([S.track(0, .audio)])
        #expect(run.push([S.packet(0, dts: 0), S.packet(0, dts: 23)]) == [P(0, 0), P(0, 23)])
        #expect(run.takeNotes() == [])
    }

    @Test func audioHeldWhileWaitingIsBounded() {
        let run = RuleRun(KeyframeGate())
        run.begin(S.videoAndAudio())
        let held = KeyframeGate.maxHeldPackets
        // Same dts (all within the audio lead of the keyframe), told apart by pts.
        for i in 0...held { #expect(run.push(S.packet(1, dts: 1000, pts: 1000 + Int64(i))) == []) }
        // One over the bound: the oldest held packet (pts 1000) made room.
        #expect(run.takeNotes() == [.dropped(.beforeKeyframe)])
        let out = run.push(S.video(1000, key: true))
        #expect(out == (1...held).map { P(1, 1000, pts: 1000 + Int64($0)) } + [.v(1000, key: true)])
        #expect(run.takeNotes() == [])
    }
}
