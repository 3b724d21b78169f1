import Foundation
import Testing
@testable import BiliupDanmaku
import BiliupTestSupport

@Suite struct ScannedJSONTests {
    private func root(_ text: String) throws -> JSONElement { try ScannedJSON(Array(text.utf8)).root }

    @Test func readsMembersAndItemsPastEverythingBeforeThem() throws {
        let json = try root(#" { "skip" : { "a" : [1, "]}\"", {"b": null}] , "t": true } , "cmd":"DANMU_MSG", "info" : [ [0, 1, 25, 16777215], "hi \"there\"", [42, "名字"] ] } "#)
        #expect(json["cmd"]?.stringValue == "DANMU_MSG")
        #expect(json["info"]?[1]?.stringValue == #"hi "there""#)
        #expect(json["info"]?[0]?[3]?.int64Value == 16_777_215)
        #expect(json["info"]?[2]?[1]?.stringValue == "名字")
        #expect(json["skip"]?["a"]?[1]?.stringValue == #"]}""#)
        #expect(json["skip"]?["a"]?[2]?["b"] != nil)
        #expect(json["info"]?[0]?.elements.count == 4)
        #expect(json["missing"] == nil)
        #expect(json["info"]?[4] == nil)
        #expect(json["info"]?[-1] == nil)
        #expect(json["cmd"]?["x"] == nil)
        #expect(json["info"]?["cmd"] == nil)
        #expect(json["cmd"]?.int64Value == nil)
        #expect(json["skip"]?["t"]?.stringValue == nil)
    }

    @Test func decodesEveryEscape() throws {
        let json = try root(#"{"s": "q\" b\\ s\/ \b\f\n\r\t é \u00e9 \ud83d\ude00 lone \ud800 end", "k\u0065y": 7}"#)
        #expect(json["s"]?.stringValue == "q\" b\\ s/ \u{8}\u{C}\n\r\t é é 😀 lone \u{FFFD} end")
        #expect(json["key"]?.int64Value == 7)
    }

    @Test func readsIntegersAsJSONValueDid() throws {
        let json = try root(#"[9223372036854775807, -9223372036854775808, 12.9, -3e2, 1e300, 9223372036854775808, "77", "x", 0, -0]"#)
        let values = json.elements.map(\.int64Value)
        #expect(values == [Int64.max, Int64.min, 12, -300, nil, nil, 77, nil, 0, 0])
    }

    @Test func rejectsWhatIsNotJSON() {
        for text in ["", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[01]", "[1.]", "[.5]", "[1e]", "[-]", "tru",
                     "nul", "\"abc", "[\"a\\\"]", "{} {}", "[1] x", "{1:2}", "<html>", "{\"cmd\":\"DANMU_MSG\",\"info\":[[0,1",
                     String(repeating: "[", count: 200) + String(repeating: "]", count: 200)] {
            #expect(throws: DanmakuDecodeError.self, "\(text)") { try ScannedJSON(Array(text.utf8)) }
        }
    }

    /// Strings are scanned eight bytes at a time with carries between words: every alignment of a run of
    /// backslashes before a quote ends (or does not end) the string where Foundation says.
    @Test func backslashRunsAtEveryAlignment() throws {
        for padding in 0..<17 {
            for run in 0..<6 {
                let text = "[\"" + String(repeating: "a", count: padding) + String(repeating: "\\", count: run) + "\"x\", \"b\"]"
                let foundation = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
                let scanned = try? ScannedJSON(Array(text.utf8)).root.elements.map(\.stringValue)
                #expect(scanned == foundation.map { $0.map(Optional.some) }, "\(text)")
            }
        }
    }

    @Test func readsOddStringsLeniently() throws {
        let json = try root("[\"a\u{01}b\", \"\\x\\q\", \"\\u12G4\", \"\\\\\", \"\\\"\"]")
        #expect(json.elements.map(\.stringValue) == ["a\u{01}b", "xq", "\u{FFFD}12G4", "\\", "\""])
    }

    /// Mutations of real-shaped JSON: accepted exactly when Foundation's parser accepts them, and every
    /// read of an accepted one agrees with Foundation's reading. Two differences are by choice and left
    /// out: Foundation rejects invalid UTF-8 (a chat message with a broken byte is still worth keeping, so
    /// reading repairs it) and accepts a trailing comma (which no platform sends).
    @Test func agreesWithFoundationOnMutatedText() async {
        // On a thread of its own: 20,000 parses and two regular expressions each, in a debug build, would
        // hold one of the test pool's two threads for tens of seconds while other suites wait on timers.
        let (problems, accepted) = await onThread { Self.disagreementsWithFoundation() }
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        #expect(accepted > 1000)
    }

    /// What differs between the two readings of 20,000 mutations, and how many both accepted.
    static func disagreementsWithFoundation() -> (problems: [String], accepted: Int) {
        let seed = #"{"cmd":"SEND_GIFT","data":{"giftName":"辣条","num":3,"price":100,"uid":"12345","list":[1,-2.5e1,true,false,null,"a\"b\nc"],"nested":{"x":[{"y":[]}]}}}"#
        var generator = SplitMix64(state: 0x5EED)
        let alphabet = Array(#"{}[]":,0123456789-+.eE tfnul\"#.utf8)
        var accepted = 0
        var problems: [String] = []
        for _ in 0..<20_000 {
            var bytes = Array(seed.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[position] = alphabet.randomElement(using: &generator)!
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet.randomElement(using: &generator)!, at: position)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            guard Array(text.utf8) == bytes, text.firstMatch(of: /,\s*[}\]]/) == nil,
                  text.firstMatch(of: /\\([^"\\\/bfnrtu]|u(?![0-9a-fA-F]{4}))/) == nil else { continue }
            let foundation = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            let scanned = try? ScannedJSON(bytes)
            if (foundation != nil) != (scanned != nil) {
                problems.append("\(text): Foundation \(foundation != nil ? "accepts" : "refuses"), ScannedJSON \(scanned != nil ? "accepts" : "refuses")")
            }
            guard let object = foundation as? [String: Any], let data = object["data"] as? [String: Any],
                  let root = scanned?.root else { continue }
            accepted += 1
            if root["cmd"]?.stringValue != object["cmd"] as? String
                || root["data"]?["giftName"]?.stringValue != data["giftName"] as? String
                || root["data"]?["list"]?.elements.count != (data["list"] as? [Any])?.count {
                problems.append("\(text): read differently")
            }
        }
        return (problems, accepted)
    }
}
