@testable import BiliupMedia
import Testing

/// The reload schedule on instants the tests choose: exact, whatever the machine's load.
@Suite struct HLSReloadPacerTests {
    private let start = ContinuousClock.now

    @Test func aReloadWaitsATargetAfterNewSegmentsAndHalfOneWithout() {
        let pacer = HLSReloadPacer(targetDuration: 0.4, readTimeout: .seconds(1), start: start)
        let requested = start + .seconds(3)
        #expect(pacer.nextReload(after: requested, broughtNewSegments: true) == requested + .milliseconds(400))
        #expect(pacer.nextReload(after: requested, broughtNewSegments: false) == requested + .milliseconds(200))
    }

    @Test func aTinyTargetStillWaitsTheMinimum() {
        let pacer = HLSReloadPacer(targetDuration: 0, readTimeout: .seconds(1), start: start)
        #expect(pacer.nextReload(after: start, broughtNewSegments: true) == start + HLSReloadPacer.minimumInterval)
        #expect(pacer.nextReload(after: start, broughtNewSegments: false) == start + HLSReloadPacer.minimumInterval)
    }

    @Test func aNewTargetDurationChangesThePace() {
        var pacer = HLSReloadPacer(targetDuration: 0.4, readTimeout: .seconds(1), start: start)
        pacer.update(targetDuration: 2)
        #expect(pacer.nextReload(after: start, broughtNewSegments: true) == start + .seconds(2))
        #expect(pacer.stallLimit == .seconds(6))
    }

    @Test func theStallLimitIsThreeTargetsOrTheReadTimeout() {
        #expect(HLSReloadPacer(targetDuration: 0.4, readTimeout: .seconds(1), start: start).stallLimit == .milliseconds(1200))
        #expect(HLSReloadPacer(targetDuration: 0.2, readTimeout: .seconds(1), start: start).stallLimit == .seconds(1))
    }

    @Test func aPlaylistStallsWhenUnchangedForTheLimit() {
        var pacer = HLSReloadPacer(targetDuration: 0.4, readTimeout: .seconds(1), start: start)
        #expect(pacer.stalled(at: start + .milliseconds(1199)) == nil)
        #expect(pacer.stalled(at: start + .milliseconds(1200)) == .milliseconds(1200))
        pacer.record(changed: false, at: start + .milliseconds(1000))
        #expect(pacer.stalled(at: start + .milliseconds(1300)) == .milliseconds(1300))
        pacer.record(changed: true, at: start + .milliseconds(1000))
        #expect(pacer.stalled(at: start + .milliseconds(1300)) == nil)
        #expect(pacer.stalled(at: start + .milliseconds(2200)) == .milliseconds(1200))
    }
}
