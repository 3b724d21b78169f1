import BiliupUpload
import Foundation
import Testing

@Suite struct SubmitValidationTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func studio(_ change: (inout Studio) -> Void = { _ in }) -> Studio {
        var s = Studio(tid: 171, title: "直播回放", tag: "a,b")
        s.videos = [Studio.Video(title: "p1", filename: "n1")]
        change(&s)
        return s
    }

    /// The field the first refusal names, nil when the studio passes.
    static func refusedField(_ studio: Studio) -> StudioField? {
        do {
            try studio.validate(now: now)
            return nil
        } catch {
            #expect(error.kind == .invalidInput)
            return StudioField.of(error)
        }
    }

    @Test func aCompleteStudioPasses() {
        #expect(Self.refusedField(Self.studio()) == nil)
        #expect(Self.refusedField(Self.studio { $0.copyright = 2; $0.source = "https://live.bilibili.com/1" }) == nil)
        #expect(Self.refusedField(Self.studio { $0.dtime = 1_700_000_000 + 5 * 3600 }) == nil)
    }

    @Test func eachProblemNamesItsField() {
        #expect(Self.refusedField(Self.studio { $0.title = "  " }) == .title)
        #expect(Self.refusedField(Self.studio { $0.title = String(repeating: "长", count: 81) }) == .title)
        #expect(Self.refusedField(Self.studio { $0.title = String(repeating: "长", count: 80) }) == nil)
        #expect(Self.refusedField(Self.studio { $0.tid = 0 }) == .tid)
        #expect(Self.refusedField(Self.studio { $0.copyright = 2 }) == .source)
        #expect(Self.refusedField(Self.studio { $0.copyright = 3 }) == .copyright)
        #expect(Self.refusedField(Self.studio { $0.tag = " , " }) == .tag)
        #expect(Self.refusedField(Self.studio { $0.tag = (1...13).map { "t\($0)" }.joined(separator: ",") }) == .tag)
        #expect(Self.refusedField(Self.studio { $0.desc = String(repeating: "x", count: 2001) }) == .desc)
        #expect(Self.refusedField(Self.studio { $0.dtime = 1_700_000_000 + 3 * 3600 }) == .dtime)
        #expect(Self.refusedField(Self.studio { $0.dtime = 1_700_000_000 + 16 * 24 * 3600 }) == .dtime)
        #expect(Self.refusedField(Self.studio { $0.videos = [] }) == .videos)
    }

    @Test func theMessageSaysWhatIsWrong() {
        do {
            try Self.studio { $0.tid = -4 }.validate(now: Self.now)
            Issue.record("a tid of -4 passed")
        } catch {
            #expect(error.description.hasPrefix("tid: "))
            #expect(error.message.contains("-4"))
        }
    }

    @Test func knownRefusalCodesNameTheirField() {
        #expect(StudioField.refused(code: 21003) == .tid)
        #expect(StudioField.refused(code: 21001) == .title)
        #expect(StudioField.refused(code: 21012) == .source)
        #expect(StudioField.refused(code: 21070) == nil)
    }
}

@Suite struct SubmitArchiveRefTests {
    /// av170001 ↔ BV17x411w7KC and av2 ↔ BV1xx411c7mD are the pairs Bilibili's own announcement used.
    @Test func convertsBothWays() {
        #expect(ArchiveRef.bvid(fromAid: 170001) == "BV17x411w7KC")
        #expect(ArchiveRef.aid(fromBvid: "BV17x411w7KC") == 170001)
        #expect(ArchiveRef.aid(fromBvid: "BV1xx411c7mD") == 2)
        let large: Int64 = (1 << 40) + 5
        #expect(ArchiveRef.aid(fromBvid: ArchiveRef.bvid(fromAid: large)) == large)
    }

    @Test func parsesWhatUsersType() {
        #expect(ArchiveRef(parsing: "av170001") == .aid(170001))
        #expect(ArchiveRef(parsing: "AV170001") == .aid(170001))
        #expect(ArchiveRef(parsing: "170001") == .aid(170001))
        #expect(ArchiveRef(parsing: "BV17x411w7KC") == .bvid("BV17x411w7KC"))
        #expect(ArchiveRef(parsing: "bv17x411w7KC") == .bvid("BV17x411w7KC"))
        #expect(ArchiveRef(parsing: "BV17x411w7KC")?.aid == 170001)
        #expect(ArchiveRef(parsing: "av170001")?.bvid == "BV17x411w7KC")
    }

    @Test func refusesWhatIsNeither() {
        for text in ["", "av", "avx", "BV17x411w7K", "BV17x411w7K0", "av-3", "abc"] {
            #expect(ArchiveRef(parsing: text) == nil, "\(text)")
        }
    }
}
