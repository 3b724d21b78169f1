@testable import BiliupMedia
import Testing

@Suite struct RepeatedDataFilterTests {
    typealias S = RepairSample
    typealias P = SeenPacket

    /// Two GOPs (keyframes are frames 1 and 3), all new, so all passed on. Ends at v1040 and a1030.
    private func firstInput(_ run: RuleRun) {
        run.begin(S.videoAndAudio())
        let out = run.push([S.video(0, key: true, frame: 1), S.audio(10, frame: 11), S.video(40, frame: 2),
                            S.audio(30, frame: 12), S.video(1000, key: true, frame: 3), S.audio(1010, frame: 13),
                            S.video(1040, frame: 4), S.audio(1030, frame: 14)])
        #expect(out == [.v(0, key: true), .a(10), .v(40), .a(30), .v(1000, key: true), .a(1010), .v(1040), .a(1030)])
        #expect(run.takeNotes() == [])
    }

    @Test func repeatsAfterAReconnectAreDroppedAndTheShiftIsShared() {
        let run = RuleRun(RepeatedDataFilter())
        firstInput(run)
        // The source resends the second GOP on a timeline 5 s later, then goes on with new frames.
        run.begin(S.videoAndAudio(), followsReconnect: true)
        #expect(run.push(S.audio(5995, frame: 20)) == [])  // held until the video tells how to line up
        #expect(run.input?.timelineShiftMicros == nil)
        #expect(run.push(S.video(6000, key: true, frame: 3)) == [])
        #expect(run.input?.timelineShiftMicros == 5_000_000)
        #expect(run.push([S.audio(6010, frame: 13), S.video(6040, frame: 4), S.audio(6030, frame: 14)]) == [])
        #expect(run.takeNotes() == Array(repeating: .dropped(.repeated), count: 5))
        #expect(run.push([S.video(6080, frame: 5), S.audio(6050, frame: 15)]) == [.v(6080), .a(6050)])
        #expect(run.takeNotes() == [])
    }

    @Test func anUnknownKeyframeAfterAReconnectIsNewData() {
        let run = RuleRun(RepeatedDataFilter())
        firstInput(run)
        run.begin(S.videoAndAudio(), followsReconnect: true)
        #expect(run.push(S.audio(5995, frame: 20)) == [])
        #expect(run.push(S.video(6000, key: true, frame: 99)) == [.a(5995), .v(6000, key: true)])
        #expect(run.input?.timelineShiftMicros == nil)
        #expect(run.takeNotes() == [])
    }

    @Test func anInputThatIsNoReconnectIsNotCompared() {
        let run = RuleRun(RepeatedDataFilter())
        firstInput(run)
        run.begin(S.videoAndAudio())  // a boundary or codec change carries new data even if it looks known
        #expect(run.push([S.video(6000, key: true, frame: 3), S.video(6040, frame: 4)]) == [.v(6000, key: true), .v(6040)])
        #expect(run.input?.timelineShiftMicros == nil)
        #expect(run.takeNotes() == [])
    }

    @Test func anInputOfRepeatsOnlyKeepsTheReference() {
        let run = RuleRun(RepeatedDataFilter())
        firstInput(run)
        run.begin(S.videoAndAudio(), followsReconnect: true)
        #expect(run.push([S.video(6000, key: true, frame: 3), S.video(6040, frame: 4)]) == [])
        // Reconnected again before anything new: the new input is still compared with the first one.
        run.begin(S.videoAndAudio(), followsReconnect: true)
        #expect(run.push([S.video(9000, key: true, frame: 3), S.video(9080, frame: 5)]) == [.v(9080)])
        #expect(run.input?.timelineShiftMicros == 8_000_000)
        #expect(run.takeNotes() == Array(repeating: .dropped(.repeated), count: 3))
    }

    @Test func audioHeldForTheLineUpIsBounded() {
        let run = RuleRun(RepeatedDataFilter())
        firstInput(run)
        run.begin(S.videoAndAudio(), followsReconnect: true)
        let held = RepeatedDataFilter.maxHeldPackets
        for i in 0..<held { #expect(run.push(S.audio(2000 + Int64(i), frame: 20)) == []) }
        // Without video to line up with, the held audio goes on as new data, and the wait is over.
        #expect(run.push(S.audio(2000 + Int64(held), frame: 20)) == (0...held).map { P.a(2000 + Int64($0)) })
        #expect(run.push(S.video(6000, key: true, frame: 3)) == [.v(6000, key: true)])
        #expect(run.input?.timelineShiftMicros == nil)
        #expect(run.takeNotes() == [])
    }
}
