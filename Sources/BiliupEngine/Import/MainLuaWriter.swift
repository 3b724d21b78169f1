import BiliupScript
import BiliupValues
import Foundation

/// An `ImportPlan` written as a commented main.lua that `biliup run` reads as it is: the notes of what
/// was not carried over at the top, then biliup.config, one template and streamer per biliup streamer,
/// and biliup's processors as hooks.
enum MainLuaWriter {
    /// `declaringStreamers` false: the streamers are in the store (a database import), only their hooks are written.
    static func text(_ plan: ImportPlan, source: String, dataDir: String, declaringStreamers: Bool = true) -> String {
        var out: [String] = [
            "-- main.lua written by `biliup import \(source)` from biliup's config. `biliup run` reads it as it is;",
            "-- edit it freely (scripts/main.lua of biliup describes every option). Durations are seconds, sizes bytes.",
        ]
        if plan.notes.isEmpty {
            out.append("-- Every key of the source was carried over.")
        } else {
            out.append("--")
            out.append("-- Not carried over (\(plan.notes.count)):")
            out += plan.notes.map { "--   " + comment($0.description) }
        }
        if !plan.accounts.isEmpty {
            out.append("--")
            out.append("-- Templates upload as these accounts (biliup's cookie files); `biliup import` stores each it can check")
            out.append("-- with Bilibili, or add one by hand: biliup login --cookie-file FILE --name NAME")
            out += plan.accounts.map { "--   \(comment($0.name)): \(comment($0.cookieFile))" }
        }
        out.append("")
        out += config(plan.global, dataDir: dataDir)
        for streamer in plan.streamers where declaringStreamers {
            out.append("")
            out.append("-- [streamers.\(comment(BiliupConfigConversion.quoted(streamer.name)))]")
            if let template = plan.templates.first(where: { $0.name == streamer.template }) {
                out.append("biliup.template \(LuaLiteral.string(template.name)) {")
                out += template.fields.keys.sorted().map { "  \(LuaLiteral.key($0)) = \(LuaLiteral.value(template.fields[$0]!))," }
                out.append("}")
            }
            out += self.streamer(streamer)
        }
        let hooks = plan.streamers.flatMap { s in s.hooks.map { (s, $0) } }
        if !hooks.isEmpty {
            out.append("")
            out += helpers
            for (streamer, hook) in hooks {
                out.append("")
                out += self.hook(hook, of: streamer)
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Text for a comment line: no line breaks.
    private static func comment(_ s: String) -> String {
        s.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    private static func config(_ g: ImportedGlobal, dataDir: String) -> [String] {
        var lines = ["biliup.config {", "  data_dir = \(LuaLiteral.string(dataDir)),  -- the store: accounts, streamers of the API, history"]
        lines += recording(g.recording, indent: "  ")
        if let n = g.maxRecordings { lines.append("  max_recordings = \(n),  -- pool1_size") }
        if g.uploadFiles != nil || g.uploadChunks != nil {
            let parts = [g.uploadFiles.map { "files = \($0)" }, g.uploadChunks.map { "chunks = \($0)" }].compactMap { $0 }
            lines.append("  upload = { \(parts.joined(separator: ", ")) },  -- pool2_size, threads")
        }
        lines.append("}")
        return lines
    }

    private static func recording(_ r: RecordingSettings, indent: String) -> [String] {
        var lines: [String] = []
        if let output = r.output { lines.append("\(indent)output = \(LuaLiteral.string(output)),  -- filename_prefix") }
        if let format = r.format { lines.append("\(indent)format = \(LuaLiteral.string(format)),") }
        if r.splitSeconds != nil || r.splitBytes != nil {
            let parts = [r.splitSeconds.map { "time = \(LuaLiteral.number($0))" }, r.splitBytes.map { "size = \($0)" }].compactMap { $0 }
            lines.append("\(indent)split = { \(parts.joined(separator: ", ")) },  -- segment_time, file_size")
        }
        if let c = r.checkInterval { lines.append("\(indent)check_interval = \(LuaLiteral.number(c)),  -- event_loop_interval") }
        if let d = r.delay { lines.append("\(indent)delay = \(LuaLiteral.number(d)),") }
        if let m = r.minSegmentBytes { lines.append("\(indent)min_segment_size = \(m),  -- filtering_threshold (MB of 10^6 bytes)") }
        return lines
    }

    private static func streamer(_ s: ImportedStreamer) -> [String] {
        var lines = ["biliup.streamer \(LuaLiteral.string(s.name)) {"]
        lines.append("  url = \(LuaLiteral.value(.array(s.urls.map(JSONValue.string)))),")
        if let t = s.template { lines.append("  template = \(LuaLiteral.string(t)),") }
        if s.danmaku { lines.append("  danmaku = true,") }
        if s.danmakuDetail { lines.append("  danmaku_detail = true,") }
        if !s.options.isEmpty { lines.append("  options = \(LuaLiteral.value(.object(s.options))),  -- from biliup's platform keys") }
        if !s.schedule.isEmpty { lines.append("  schedule = \(LuaLiteral.value(.array(s.schedule.map(JSONValue.string)))),  -- time_range, local time") }
        if !s.titleExclude.isEmpty { lines.append("  title_exclude = \(LuaLiteral.value(.array(s.titleExclude.map(JSONValue.string)))),  -- excluded_keywords") }
        lines += recording(s.recording, indent: "  ")
        lines.append("}")
        return lines
    }

    static let helpers = [
        "-- biliup's processor steps. `run` is the command of your biliup config, run by sh as biliup ran it, with",
        "-- the event's files on its standard input, one per line: the paths are arguments of printf, never part",
        "-- of the command line. A step that fails stops the ones after it, as in biliup.",
        "local function run_step(command, files)",
        "  local argv = { \"sh\", \"-c\", '{ [ \"$#\" -eq 0 ] || printf \"%s\\\\n\" \"$@\"; } | {\\n' .. command .. '\\n}', \"sh\" }",
        "  for _, file in ipairs(files) do argv[#argv + 1] = file end",
        "  local result = biliup.run(argv)",
        "  if result.status ~= 0 then",
        "    error((\"%s: exit status %d %s\"):format(command, result.status, result.error or result.stderr))",
        "  end",
        "end",
        "",
        "-- mv: into the folder, keeping the name (a video's .xml and .ass go with it).",
        "local function move_files(files, folder)",
        "  for _, file in ipairs(files) do biliup.move(file, folder .. \"/\" .. file:match(\"[^/]*$\")) end",
        "end",
        "",
        "-- rm: the files and the chat files beside them (biliup was given those too).",
        "local function delete_files(files)",
        "  for _, file in ipairs(files) do",
        "    biliup.delete(file)",
        "    local stem = file:gsub(\"%.[^./]*$\", \"\")",
        "    biliup.delete(stem .. \".xml\")",
        "    biliup.delete(stem .. \".ass\")",
        "  end",
        "end",
    ]

    private static func hook(_ hook: ImportedHook, of s: ImportedStreamer) -> [String] {
        let when = ["stream_start": "when a recording starts", "segment": "on each finished segment",
                    "stream_end": "when the recording has ended", "upload_done": "after Bilibili accepted the archive"][hook.event] ?? hook.event
        var lines = ["-- \(hook.source) of \(comment(BiliupConfigConversion.quoted(s.name))): \(when).",
                     "biliup.on(\(LuaLiteral.string(hook.event)), function(ev)"]
        // An archive names its template, which is this streamer's own.
        let (field, name) = hook.event == "upload_done" ? ("template", s.template ?? s.name) : ("streamer", s.name)
        lines.append("  if ev.\(field) ~= \(LuaLiteral.string(name)) then return end")
        switch hook.files {
        case "path": lines.append("  local files = { ev.path }")
        case let list?: lines.append("  local files = ev.\(list) or {}")
        case nil: lines.append("  local files = {}")
        }
        for step in hook.steps {
            switch step {
            case .run(let command): lines.append("  run_step(\(LuaLiteral.string(command)), files)")
            case .move(let dir):
                let folder = dir.count > 1 && dir.hasSuffix("/") ? String(dir.dropLast()) : dir
                lines.append("  move_files(files, \(LuaLiteral.string(folder)))")
            case .delete: lines.append("  delete_files(files)")
            }
        }
        lines.append("end)")
        return lines
    }
}
