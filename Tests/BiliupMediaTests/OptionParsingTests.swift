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
}
