import BiliupScript
import BiliupValues
import Foundation
import Testing

/// Upload templates in main.lua: every mistake is reported with the file, the template's line and what
/// to write instead, before anything records or uploads.
@Suite struct TemplateValidationTests {
    @Test(arguments: [
        ("\n\nbiliup.template \"t\" { account = \"me\", title = \"x\", tid = 171, tilte = \"y\" }",
         "main.lua:3: template \"t\": tilte: unknown option (did you mean \"title\"?)"),
        ("biliup.template \"t\" { account = \"me\", title = \"x\", tid = \"games\" }",
         "main.lua:1: template \"t\": tid: expected the category's number (an integer such as 171), got string \"games\""),
        ("biliup.template \"t\" { account = \"me\", title = \"  \", tid = 171 }",
         "main.lua:1: template \"t\": title: must not be empty"),
        ("biliup.template \"t\" { account = \"me\", title = \"x\", tid = 171, copyright = 2 }",
         "main.lua:1: template \"t\": source: is required when copyright is 2 (reposted): where it comes from"),
        ("biliup.template \"t\" { account = \"me\", title = \"x\", tid = 171, after_upload = \"delet\" }",
         "main.lua:1: template \"t\": after_upload: \"delet\" is not one of keep, delete (did you mean \"delete\"?)"),
        ("biliup.template \"t\" { account = \"me\", title = \"x\", tid = 171, after_upload = { mvoe = \"/done\" } }",
         "main.lua:1: template \"t\": after_upload: unknown option \"mvoe\" (did you mean \"move\"?)"),
        ("biliup.template \"t\" { account = \"me\", title = \"x\", tid = 171, submit = \"wab\" }",
         "main.lua:1: template \"t\": submit: \"wab\" is not one of app, web (did you mean \"web\"?)"),
        ("biliup.template \"t\" { account = \"me\", title = \"x\", tid = 171, line = \"bda3\" }",
         "main.lua:1: template \"t\": line: \"bda3\" is not one of"),
        ("biliup.template \"t\" { account = \"me\", tid = 171 }",
         "main.lua:1: template \"t\": title: is missing; a template with an account needs title and tid"),
        ("biliup.config { upload = { files = 0 } }",
         "main.lua:1: upload.files: expected an integer from 1 to 16, got number 0"),
    ])
    func aBadTemplateSaysWhereAndWhat(source: String, expected: String) async throws {
        let (script, _) = try MainScriptTests.script(source)
        guard case .failure(let error) = await script.load() else { Issue.record("accepted: \(source)"); return }
        #expect(error.message.contains(expected), "\(error.message)")
    }

    @Test func everyMistakeOfOneTemplateIsReportedAtOnce() async throws {
        let (script, _) = try MainScriptTests.script("biliup.template \"t\" { account = \"me\", title = \"\", tid = 1.5, tgas = {} }")
        guard case .failure(let error) = await script.load() else { Issue.record("accepted"); return }
        for words in ["title: must not be empty", "tid: expected the category's number", "tgas: unknown option (did you mean \"tags\"?)"] {
            #expect(error.message.contains(words), "\(error.message)")
        }
    }

    @Test func aCompleteTemplateLoadsWithItsFields() async throws {
        let (script, _) = try MainScriptTests.script("""
            biliup.config { upload = { files = 3, chunks = 4 } }
            biliup.template "full" {
              account = "main", title = "{streamer} %Y-%m-%d {title}", tid = 171, tags = { "直播", "录像" },
              desc = "recorded", copyright = 2, source = "https://live.example/1", dynamic = "d", dtime = 1900000000,
              no_reprint = true, up_close_danmu = false, up_close_reply = 0, up_selection_reply = true,
              extra_fields = { is_only_self = 1 }, submit = "web", line = "bda2", after_upload = { move = "/done" },
            }
            """)
        let config = try await script.load().get()
        #expect(config.global.uploadFiles == 3 && config.global.uploadChunks == 4)
        let fields = try #require(config.templates.first?.fields)
        #expect(fields["account"] == .string("main"))
        #expect(fields["after_upload"] == .object(["move": .string("/done")]))
        #expect(UploadTemplateFields.problems(in: fields).isEmpty)
    }

    @Test func theAPIsTemplatesMeetTheSameRules() {
        let problems = UploadTemplateFields.problems(in: ["account": .string("me"), "title": .string("x"), "tid": .string("171"), "lnie": .string("tx")])
        #expect(problems.map(\.description) == [
            "lnie: unknown option (did you mean \"line\"?)",
            "tid: expected the category's number (an integer such as 171), got string \"171\"",
        ])
    }
}
