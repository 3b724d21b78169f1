import BiliupEngine
import BiliupMedia
import BiliupValues
import Foundation
import Testing

/// The segment report goes to the store and to hooks as a JSON object built field by field (not
/// encoded and parsed again per segment); it must stay what its Codable form says.
@Suite struct SegmentReportJSONTests {
    @Test func theBuiltObjectIsTheCodableForm() throws {
        // Every field set, nested ones included (their types have no public initializers).
        let json = """
            {"file": "/r/a.flv", "format": "flv", "startedAt": 721692800.25, "tracks": ["h264 1920x1080", "aac 48000 Hz"],
             "duration": 61.5, "firstTimestamp": 0.02, "lastTimestamp": 61.52, "videoFrames": 1845, "audioFrames": 2883,
             "keyframes": 31, "bytes": 45000123,
             "timestampFixes": [{"at": 12.5, "track": "video", "kind": "jump", "deltaMs": 5000}],
             "reconnects": [{"at": 30, "reason": "HTTP 502", "repeatedFramesDropped": 48}],
             "gaps": [{"at": 40, "what": "discontinuity"}],
             "startReason": "split by time", "endReason": "stream ended", "framesBeforeKeyframeDropped": 7}
            """
        let report = try JSONDecoder().decode(SegmentReport.self, from: Data(json.utf8))
        #expect(report.reconnects.first?.repeatedFramesDropped == 48)
        let codable = try JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(report))
        #expect(report.jsonObject == codable)
        #expect(Set(report.jsonObject.keys) == Set(codable.keys))
    }

    @Test func theDanmakuPartIsTheCodableFormWithOrWithoutASS() throws {
        for ass in [#", "ass": "a.ass""#, "", #", "programDateTime": 786000000.125, "latency": 6.5"#] {
            let json = """
                {"file": "/r/a.flv", "format": "flv", "startedAt": 721692800.25, "tracks": [], "duration": 61.5,
                 "firstTimestamp": 0, "lastTimestamp": 61.5, "videoFrames": 1, "audioFrames": 0, "keyframes": 1, "bytes": 10,
                 "timestampFixes": [], "reconnects": [], "gaps": [], "startReason": "start", "endReason": "stream ended",
                 "framesBeforeKeyframeDropped": 0,
                 "danmaku": {"file": "a.xml"\(ass), "messages": 12, "dropped": 3, "offset": 0.25,
                             "gaps": [{"at": 10.5, "seconds": 4, "reason": "connection reset"}]}}
                """
            let report = try JSONDecoder().decode(SegmentReport.self, from: Data(json.utf8))
            #expect(report.danmaku?.messages == 12)
            let codable = try JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(report))
            #expect(report.jsonObject == codable)
        }
    }

    @Test func companionFilesAreFoundBesideTheVideo() {
        #expect(SegmentReport.Danmaku.path(of: "a.xml", besideVideo: "/r/x/a.flv") == "/r/x/a.xml")
        #expect(SegmentReport.Danmaku.path(of: "/elsewhere/a.xml", besideVideo: "/r/x/a.flv") == "/elsewhere/a.xml")
    }
}
