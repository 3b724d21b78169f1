import Foundation

/// Why an output template cannot be used, worded to complete "output: …".
public struct TemplateProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}

/// Where a recording's files go: `pattern`, a template of folders and a file name below `root`. The root
/// is the operator's choice (main.lua's `recordings_root`, the folder of `download -o`), never the API's;
/// the template may not leave it (no absolute path, no `..`). strftime's conversions (`%Y %m %d %H %M %S`
/// and the others) are expanded in the template first, then the placeholders (`{streamer}`, `{title}`,
/// `{name}`, `{plugin}`, `{index}`) are filled in with values that cannot add folders, hide a file or
/// carry control characters, so a title such as `%D` or `../x` stays text. The format's extension
/// follows; `_1`, `_2`… are added when a name is taken.
public struct OutputTemplate: Sendable {
    public var root: String
    public var pattern: String

    public init(root: String, pattern: String) {
        self.root = root
        self.pattern = pattern
    }

    /// A template names a few folders and a file; this also bounds what strftime is asked to produce.
    public static let maxPatternBytes = 1024
    /// strftime's output buffer: a template at its bound, each conversion a few times longer (a month
    /// name), still fits; `%5000Y` does not, and is an error rather than a raw template.
    static let maxFormattedBytes = 4096
    /// Bytes in one file or folder name: Linux file systems take 255 (NAME_MAX); 200 leaves room for
    /// tools that append to a name (a remux's new extension, a download manager's suffix).
    public static let maxComponentBytes = 200
    /// Names tried before giving up: a folder with a thousand recordings of one name in one second
    /// means something else is wrong, and a bound keeps a full folder from spinning the recorder.
    public static let maxUniqueTries = 1000
    /// What a file name adds to its stem at most: `_999`, `.flv` (every extension is 2-3 letters) and
    /// `.part` or `.json` (both 5 bytes), so the longest of them still fits `maxComponentBytes`.
    static let fileSuffixBytes = "_\(maxUniqueTries - 1)".utf8.count + 1
        + OutputFormat.allCases.map(\.fileExtension.utf8.count).max()!
        + max(Segmenter.partSuffix.utf8.count, SegmentReport.sidecarSuffix.utf8.count)

    /// Why `pattern` cannot be an output template (as the API and main.lua set it), or nil.
    public static func problem(in pattern: String) -> TemplateProblem? {
        if let p = textProblem(pattern, allowAbsolute: false, maxBytes: maxPatternBytes) { return p }
        return formatted(pattern, Date()).failure
    }

    /// `download -o`: the user's own command line may name any folder. Its leading fixed folders (up to
    /// the first placeholder or strftime conversion) become the root, the rest the template; `..` and
    /// control characters are refused all the same.
    public init(commandLine output: String) throws(TemplateProblem) {
        if let p = OutputTemplate.textProblem(output, allowAbsolute: true, maxBytes: OutputTemplate.maxPatternBytes) { throw p }
        var parts = output.split(separator: "/").map(String.init)
        var fixed: [String] = []
        while parts.count > 1, !parts[0].contains("{"), !parts[0].contains("%") { fixed.append(parts.removeFirst()) }
        let root = (output.hasPrefix("/") ? "/" : "") + fixed.joined(separator: "/")
        self.init(root: root.isEmpty ? "." : root, pattern: parts.joined(separator: "/"))
        if let p = OutputTemplate.problem(in: pattern) { throw p }
    }

    /// The folders below the root and the file name's stem, for files started at `date`.
    func expand(values: [String: String], date: Date = Date()) throws(MediaError) -> (folders: [String], stem: String) {
        if let p = Self.textProblem(pattern, allowAbsolute: false, maxBytes: Self.maxPatternBytes) { throw .io("output template: \(p)") }
        let text: String
        switch Self.formatted(pattern, date) {
        case .success(let s): text = s
        case .failure(let p): throw .io("output template: \(p)")
        }
        var names = text.split(separator: "/").filter { $0 != "." }.map { Self.filledIn(String($0), values) }
        let stem = FileNameText.capped(names.removeLast(), bytes: Self.maxComponentBytes - Self.fileSuffixBytes)
        return (names.map { FileNameText.capped($0, bytes: Self.maxComponentBytes) }, stem)
    }

    /// A new file for a segment: the expansion plus `.ext` (or `_N.ext` if taken), its folders created
    /// below the root and its `.part` created exclusively.
    func createFile(values: [String: String], ext: String, date: Date = Date()) throws(MediaError) -> SegmentFile {
        let name = try expand(values: values, date: date)
        let directory = try OutputDirectory.below(root: root, folders: name.folders)
        return try SegmentFile.firstFree(in: directory, stem: name.stem, ext: ext)
    }

    /// `{key}` replaced by its sanitised value in one pass (a value that looks like a placeholder stays
    /// text); unknown keys stay as written.
    static func filledIn(_ text: String, _ values: [String: String]) -> String {
        var out = ""
        var rest = text[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let key = String(rest[rest.index(after: open)..<close])
            if let v = values[key] { out += FileNameText.sanitised(v) } else { out += rest[open...close] }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The template after strftime, checked again: conversions such as `%n` make control characters.
    static func formatted(_ pattern: String, _ date: Date) -> Result<String, TemplateProblem> {
        var t = time_t(date.timeIntervalSince1970)
        var tmv = tm()
        localtime_r(&t, &tmv)
        var buf = [CChar](repeating: 0, count: maxFormattedBytes + 1)
        // A mark at the end makes the expansion non-empty, so 0 can only mean "does not fit".
        guard Foundation.strftime(&buf, buf.count, pattern + "|", &tmv) > 0 else {
            return .failure(TemplateProblem(description: "strftime cannot expand it within \(maxFormattedBytes) bytes (a conversion such as %5000Y)"))
        }
        let text = String(String(cString: buf).dropLast())
        if let p = textProblem(text, allowAbsolute: false, maxBytes: maxFormattedBytes) {
            return .failure(TemplateProblem(description: "after strftime (%n is a line break, %t a tab): \(p)"))
        }
        return .success(text)
    }

    /// The rules for the template's own text.
    private static func textProblem(_ text: String, allowAbsolute: Bool, maxBytes: Int) -> TemplateProblem? {
        func problem(_ s: String) -> TemplateProblem { TemplateProblem(description: s) }
        if text.isEmpty { return problem("must not be empty; it names the files, e.g. {streamer}/{streamer}_%Y-%m-%d_{title}") }
        if text.utf8.count > maxBytes { return problem("is longer than \(maxBytes) bytes") }
        if let c = text.unicodeScalars.first(where: FileNameText.isControl) {
            return problem("must not contain NUL or other control characters (found \(c == "\0" ? "NUL" : String(format: "U+%04X", c.value)))")
        }
        if !allowAbsolute && text.hasPrefix("/") {
            return problem("must be relative: it is a template below the recordings folder (e.g. {streamer}/%Y-%m-%d_{title}); "
                           + "to record elsewhere, set recordings_root in main.lua")
        }
        let names = text.split(separator: "/", omittingEmptySubsequences: true)
        if names.contains("..") { return problem("must not contain \"..\": files are written only below the recordings folder") }
        if text.hasSuffix("/") || names.last == "." || names.isEmpty {
            return problem("must end with a file name, not a folder")
        }
        return nil
    }
}

private extension Result {
    var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}
