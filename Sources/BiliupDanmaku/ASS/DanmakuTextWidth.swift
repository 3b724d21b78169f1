/// An estimate of how wide a line of text renders, without the font: lanes must be planned before any
/// renderer sees the file, and for any font the user picks. The estimate errs wide (a CJK character as a
/// full font size, though common CJK fonts draw it at about 0.7 of the ASS size), so a misjudged width
/// leaves a larger gap between comments, never an overlap.
enum DanmakuTextWidth {
    static func estimate(_ text: String, fontSize: Int) -> Int {
        var units = 0.0
        for scalar in text.unicodeScalars { units += advance(scalar) }
        return Int((units * Double(fontSize)).rounded(.up))
    }

    /// Width of one character in font sizes.
    static func advance(_ scalar: Unicode.Scalar) -> Double {
        switch scalar.value {
        case 0x0300...0x036F, 0x200B...0x200F, 0x2060...0x2064, 0xFE00...0xFE0F, 0xE0100...0xE01EF:
            return 0  // combining marks, zero-width characters, variation selectors
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1FAFF, 0x20000...0x3FFFD:
            return 1  // East Asian wide and fullwidth characters, emoji
        default:
            return 0.6
        }
    }
}
