@testable import BiliupEngine
import BiliupScript
import BiliupStore
import Testing

/// The engine's checks of `output`, global (`PUT /api/config`) and per streamer (`overrides.output`):
/// templates that would write outside the recordings root, or cannot be expanded, are refused with a
/// message that says what to fix; the root itself is not something the API can set.
@Suite struct OutputSettingsTests {
    static let refused: [(output: String, why: String)] = [
        ("../../home/user/.ssh/authorized_keys", "\"..\""),
        ("/home/user/.ssh/authorized_keys", "must be relative"),
        ("{streamer}/x\u{0}", "NUL"),
        ("{streamer}\r\n{title}", "control characters"),
        ("{title}%5000Y", "strftime cannot expand it"),
        ("{title}%n", "after strftime"),
    ]

    @Test func globalOutputsOutsideTheRootAreRefused() {
        for (output, why) in Self.refused {
            do {
                _ = try GlobalSettings.normalised(["output": .string(output)])
                Issue.record("accepted \(output.debugDescription)")
            } catch {
                #expect(error.kind == .invalid && error.field == "output", "\(error)")
                #expect(error.message.hasPrefix("output: ") && error.message.contains(why), "\(error.message)")
            }
        }
        #expect((try? GlobalSettings.normalised(["output": .string("{streamer}/%Y-%m-%d/{title}")])) != nil)
        #expect(throws: EngineError.self) { try GlobalSettings.normalised(["recordings_root": .string("/tmp")]) }
    }

    @Test func streamerOutputsOutsideTheRootAreRefused() {
        for (output, why) in Self.refused {
            let record = StreamerRecord(name: "alice", urls: ["https://live.example.com/1"], overrides: ["output": .string(output)])
            do {
                _ = try StreamerValidation.normalised(record)
                Issue.record("accepted \(output.debugDescription)")
            } catch {
                #expect(error.field == "overrides.output", "\(error)")
                #expect(error.message.contains(why), "\(error.message)")
            }
        }
    }
}
