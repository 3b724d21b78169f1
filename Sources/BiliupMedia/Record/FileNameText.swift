/// Text that goes into a file or folder name: placeholder values made harmless, and names cut to a byte
/// budget on a character boundary.
enum FileNameText {
    /// Characters a value may not bring into a name: separators (a title must not add folders), `%`
    /// (strftime has run already; it must not look as if it had not), and those Windows and Samba refuse,
    /// so a recording folder can be shared or copied.
    static let replaced: Set<Character> = ["/", "\\", "%", ":", "*", "?", "\"", "<", ">", "|"]

    /// `value` as one piece of a name: each replaced or control character (line breaks included) and
    /// each leading dot becomes `_`, so a value never hides a file, never makes `.` or `..`, and
    /// distinct values stay distinct (`.`, `..` and `...` give `_`, `__`, `___`); empty gives `_`.
    static func sanitised(_ value: String) -> String {
        var out = ""
        var leading = true
        for c in value {
            if leading && c == "." {
                out.append("_")
                continue
            }
            leading = false
            out.append(replaced.contains(c) || c.unicodeScalars.contains(where: isControl) ? "_" : c)
        }
        return out.isEmpty ? "_" : out
    }

    /// Control characters (C0, DEL, C1) and the Unicode line and paragraph separators.
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// `name` cut to at most `bytes` UTF-8 bytes, between two characters (an emoji or a letter with its
    /// accents is kept whole or left out whole); `_` if not even its first character fits.
    static func capped(_ name: String, bytes: Int) -> String {
        guard name.utf8.count > bytes else { return name }
        var used = 0
        var end = name.startIndex
        for i in name.indices {
            let size = name[i].utf8.count
            if used + size > bytes { break }
            used += size
            end = name.index(after: i)
        }
        return end == name.startIndex ? "_" : String(name[..<end])
    }
}
