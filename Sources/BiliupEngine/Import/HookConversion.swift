import BiliupValues
import Foundation

/// biliup's processors (reference §8) as hooks: each list runs at our event for the same moment, on the
/// same files. `run` stays the user's shell command; `mv` and `rm` become biliup.move and biliup.delete.
enum HookConversion {
    /// (biliup key, our event, where the event's files are when biliup passed files).
    static let processors: [(key: String, event: String, files: String?)] = [
        ("preprocessor", "stream_start", nil),
        ("segment_processor", "segment", "path"),
        ("downloaded_processor", "stream_end", nil),
        ("postprocessor", "upload_done", "parts"),
    ]

    /// `uploads`: the streamer has a template; without one biliup runs the postprocessor when the
    /// recording ends, on its files.
    static func hooks(_ fields: [String: JSONValue], key: String, uploads: Bool, notes: inout [ImportNote]) -> [ImportedHook] {
        var hooks: [ImportedHook] = []
        for (name, event, files) in processors {
            guard let value = fields[name], value != .null else { continue }
            guard case .array(let items)? = ImportValues.json(value) else {
                notes.append(ImportNote(key: "\(key).\(name)", reason: "expected a list of steps"))
                continue
            }
            var hook = ImportedHook(source: name, event: event, files: files, steps: [])
            if name == "postprocessor", !uploads { (hook.event, hook.files) = ("stream_end", "segments") }
            for (index, item) in items.enumerated() {
                let at = "\(key).\(name)[\(index + 1)]"
                switch step(item) {
                case .run(let command)?: hook.steps.append(.run(command))
                case let step? where files != nil: hook.steps.append(step)
                case _?: notes.append(ImportNote(key: at, reason: "biliup allows only run here"))
                case nil: notes.append(ImportNote(key: at, reason: reason(item)))
                }
            }
            if !hook.steps.isEmpty { hooks.append(hook) }
        }
        return hooks
    }

    private static func step(_ item: JSONValue) -> HookStep? {
        switch item {
        case .string("rm"): return .delete
        case .object(let o) where o.count == 1:
            if case .string(let command)? = o["run"], !command.isEmpty { return .run(command) }
            if case .string(let dir)? = o["mv"], !dir.isEmpty { return .move(dir) }
            return nil
        default: return nil
        }
    }

    private static func reason(_ item: JSONValue) -> String {
        if case .object(let o) = item, o["remux"] != nil {
            return "remux: set format = \"mp4\" (or mkv, ts) on the streamer; segments are written in it, no second pass needed"
        }
        return "\(ImportValues.describe(item)) is not a step biliup knows (run, mv, rm)"
    }
}
