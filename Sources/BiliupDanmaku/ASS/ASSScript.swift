/// The text of an ASS subtitle file: the header with one style, and one Dialogue line per placed comment.
struct ASSScript {
    static let styleName = "Danmaku"

    private(set) var text: String
    private let options: DanmakuASS.Options
    private let fontSize: Int

    init(options: DanmakuASS.Options, outline: Int, source: String) {
        self.options = options
        fontSize = options.resolvedFontSize
        // The colours' first byte is the alpha: 0 is opaque in ASS.
        let alpha = Self.hex(Int(((1 - options.opacity) * 255).rounded()), digits: 2)
        text = """
            [Script Info]
            ; Danmaku from \(Self.commentSafe(source)), laid out by biliup danmaku2ass
            ScriptType: v4.00+
            PlayResX: \(options.width)
            PlayResY: \(options.height)
            WrapStyle: 2
            ScaledBorderAndShadow: yes

            [V4+ Styles]
            Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
            Style: \(Self.styleName),\(options.font),\(fontSize),&H\(alpha)FFFFFF,&H\(alpha)FFFFFF,&H\(alpha)000000,&H\(alpha)000000,0,0,0,0,100,100,0,0,1,\(outline),0,7,0,0,0,1

            [Events]
            Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text

            """
    }

    mutating func add(_ placement: DanmakuPlacement, text comment: String, color: Int) {
        var overrides: String
        let layer: Int
        switch placement.lane {
        case .scrolling(let y):
            overrides = "\\move(\(options.width),\(y),\(-placement.width),\(y))"
            layer = 1
        case .top(let y):
            overrides = "\\an8\\pos(\(options.width / 2),\(y))"
            layer = 2
        case .bottom(let y):
            overrides = "\\an2\\pos(\(options.width / 2),\(y))"
            layer = 2
        }
        if placement.fontSize != fontSize { overrides += "\\fs\(placement.fontSize)" }
        if color != 0xFFFFFF {
            // ASS colours are blue-green-red.
            let bgr = (color & 0xFF) << 16 | (color & 0xFF00) | (color >> 16 & 0xFF)
            overrides += "\\c&H\(Self.hex(bgr, digits: 6))&"
        }
        // A black comment would vanish in its black outline.
        if color == 0 { overrides += "\\3c&HFFFFFF&" }
        text += "Dialogue: \(layer),\(Self.time(placement.start)),\(Self.time(placement.end)),\(Self.styleName),,0,0,0,,{\(overrides)}\(comment)\n"
    }

    /// A viewer's text as literal ASS text: `{` would open an override block and `\N`, `\h` are escapes,
    /// so braces are escaped and a backslash is followed by a zero-width space (as danmaku2ass does);
    /// line breaks become spaces, since a comment is one line.
    static func escaped(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\u{200B}"
            case "{": out += "\\{"
            case "}": out += "\\}"
            case "\n", "\r", "\t": out += " "
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `h:mm:ss.cc` from centiseconds.
    static func time(_ centiseconds: Int) -> String {
        let cs = max(0, centiseconds)
        let seconds = cs / 100
        return "\(seconds / 3600):\(twoDigits(seconds / 60 % 60)):\(twoDigits(seconds % 60)).\(twoDigits(cs % 100))"
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func hex(_ value: Int, digits: Int) -> String {
        let raw = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - raw.count)) + raw
    }

    /// A file name in the header's comment line: one line, whatever the name holds.
    private static func commentSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 ? " " : $0 }))
    }
}
