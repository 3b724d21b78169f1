import BiliupScript
import Testing

/// main.lua's `output` (global and per streamer) follows the recorder's rules, reported with file and
/// line; `recordings_root` is how main.lua (and only main.lua) names another folder.
@Suite struct MainOutputTests {
    @Test(arguments: [
        ("biliup.config { output = \"/root/.ssh/authorized_keys\" }", "main.lua:1: output: must be relative"),
        ("\nbiliup.config { output = \"{streamer}/../../x\" }", "main.lua:2: output: must not contain \"..\""),
        ("biliup.config { output = \"a\\0b\" }", "main.lua:1: output: must not contain NUL or other control characters (found NUL)"),
        ("biliup.config { output = \"a\\nb\" }", "main.lua:1: output: must not contain NUL or other control characters (found U+000A)"),
        ("biliup.config { output = \"{title}%5000Y\" }", "main.lua:1: output: strftime cannot expand it"),
        ("biliup.streamer \"x\" { url = \"https://a/b\", output = \"../x\" }", "main.lua:1: streamer \"x\": output: must not contain \"..\""),
        ("biliup.config { recordings_root = \"\" }", "main.lua:1: recordings_root: expected a folder"),
        ("biliup.config { recordings_root = 5 }", "main.lua:1: recordings_root: expected a string, got number 5"),
    ])
    func outputsLeavingTheRootAreConfigErrors(source: String, expected: String) async throws {
        let (script, _) = try MainScriptTests.script(source)
        guard case .failure(let error) = await script.load() else { Issue.record("accepted: \(source)"); return }
        #expect(error.message.contains(expected), "\(error.message)")
    }

    @Test func recordingsRootNamesAnotherFolder() async throws {
        let (script, _) = try MainScriptTests.script("""
            biliup.config { recordings_root = "/mnt/rec", output = "{streamer}/%Y/{title}" }
            """)
        let config = try await script.load().get()
        #expect(config.global.recordingsRoot == "/mnt/rec")
        #expect(config.global.recording.output == "{streamer}/%Y/{title}")
        #expect(GlobalOptions().recordingsRoot == "recordings")
    }
}
