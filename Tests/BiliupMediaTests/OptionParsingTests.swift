@testable import BiliupMedia
import Foundation
import Testing

@Suite struct OptionParsingTests {
    @Test func durations() {
        #expect(Units.duration("30s") == .seconds(30))
        #expect(Units.duration("10m") == .seconds(600))
        #expect(Units.duration("1h") == .seconds(3600))
        #expect(Units.duration("1h30m") == .seconds(5400))
        #expect(Units.duration("01:02:03") == .seconds(3723))
        #expect(Units.duration("02:30") == .seconds(150))
        #expect(Units.duration("90") == .seconds(90))
        #expect(Units.duration("1.5m") == .seconds(90))
        for bad in ["", "abc", "10x", "-5s", "0", "1:2:3:4", "h", "10m5"] { #expect(Units.duration(bad) == nil, "\(bad)") }
    }

    @Test func sizes() {
        #expect(Units.size("500MB") == 500 << 20)
        #expect(Units.size("2GB") == 2 << 30)
        #expect(Units.size("1.5g") == 3 << 29)
        #expect(Units.size("700K") == 700 << 10)
        #expect(Units.size("123456") == 123_456)
        for bad in ["", "MB", "5XB", "-1GB", "0"] { #expect(Units.size(bad) == nil, "\(bad)") }
    }

    @Test func templateValuesCannotLeaveTheDirectory() {
        let t = OutputTemplate("/rec/{title}_{index}")
        let path = t.expand(values: ["title": "../../etc/passwd", "index": "1"])
        #expect(path == "/rec/_.._etc_passwd_1")
        #expect(t.expand(values: ["title": "..", "index": "2"]) == "/rec/__2")
        #expect(t.expand(values: ["title": "a/b\\c:d", "index": "3"]) == "/rec/a_b_c_d_3")
    }

    @Test func templateExpandsStrftimeAndAvoidsTakenNames() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tpl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let t = OutputTemplate(dir.path + "/{title}_%Y")
        let year = Calendar.current.component(.year, from: date)
        let first = t.uniquePath(values: ["title": "room"], ext: "flv", date: date)
        #expect(first == dir.path + "/room_\(year).flv")
        _ = FileManager.default.createFile(atPath: first, contents: Data())
        #expect(t.uniquePath(values: ["title": "room"], ext: "flv", date: date) == dir.path + "/room_\(year)_1.flv")
        _ = FileManager.default.createFile(atPath: dir.path + "/room_\(year)_1.flv.part", contents: Data())
        #expect(t.uniquePath(values: ["title": "room"], ext: "flv", date: date) == dir.path + "/room_\(year)_2.flv")
    }
}
