@testable import BiliupMedia
import Testing

@Suite struct PacketPipelineTests {
    typealias S = RepairSample
    typealias P = SeenPacket

    /// A segmenter that must not be written to: the tests' last rule keeps every packet.
    private func segmenter() -> Segmenter {
        Segmenter(format: .mkv, split: SplitPolicy(),
                  nextFile: { () throws(MediaError) in throw .io("no file expected") }, onEvent: { _ in })
    }

    @Test func aRuleAppendedToTheDefaultsSeesTheirOutput() throws {
        let last = RecordingRule(passesOn: false)
        let pipeline = PacketPipeline(segmenter: segmenter(), maxDuration: nil, rules: PacketPipeline.defaultRules() + [last])
        try pipeline.begin(tracks: S.videoAndAudio(), reconnect: nil)
        for p in [S.video(0), S.audio(150), S.video(200, key: true), S.video(240), S.video(10_240)] {
            #expect(try pipeline.push(p) == false)
        }
        // The gate dropped v0 and let a150 out with the keyframe; the timeline started at a150 and closed
        // the 10 s jump with the last step.
        #expect(last.seen == [.a(0), .v(50, key: true), .v(90), .v(130)])
        #expect(last.begins == 1)
        #expect(!pipeline.hasWritten)
    }

    @Test func rulesRunInListOrder() throws {
        let before = RecordingRule(passesOn: true)
        let after = RecordingRule(passesOn: false)
        let pipeline = PacketPipeline(segmenter: segmenter(), maxDuration: nil, rules: [before, KeyframeGate(), after])
        try pipeline.begin(tracks: S.videoAndAudio(), reconnect: nil)
        for p in [S.video(0), S.audio(150), S.video(200, key: true), S.audio(170)] { _ = try pipeline.push(p) }
        #expect(before.seen == [.v(0), .a(150), .v(200, key: true), .a(170)])
        #expect(after.seen == [.a(150), .v(200, key: true), .a(170)])
    }

    @Test func repeatedCodecHeadersDoNotRestartTheRules() throws {
        let rule = RecordingRule(passesOn: false)
        let pipeline = PacketPipeline(segmenter: segmenter(), maxDuration: nil, rules: [rule])
        let tracks = S.videoAndAudio()
        try pipeline.begin(tracks: tracks, reconnect: nil)
        try pipeline.begin(tracks: S.videoAndAudio(), reconnect: nil, sameInput: true)
        #expect(rule.begins == 1)
        try pipeline.begin(tracks: S.videoAndAudio(), reconnect: "network error")
        #expect(rule.begins == 2)
    }
}
