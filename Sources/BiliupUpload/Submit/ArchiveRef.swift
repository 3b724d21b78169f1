import Foundation

/// An existing archive, named as users name it: `av170001` (its aid) or `BV17x411w7KC` (its bvid).
public enum ArchiveRef: Sendable, Equatable, CustomStringConvertible {
    case aid(Int64)
    case bvid(String)

    /// `av123`, `AV123`, a bare `123`, or a `BV1…` id of twelve characters; nil for anything else.
    public init?(parsing text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.count == 12, text.uppercased().hasPrefix("BV1"), Self.aid(fromBvid: text) != nil {
            self = .bvid("BV" + text.dropFirst(2))
            return
        }
        let digits = text.lowercased().hasPrefix("av") ? String(text.dropFirst(2)) : text
        guard let aid = Int64(digits), aid > 0, aid < BvidCode.maxAid else { return nil }
        self = .aid(aid)
    }

    /// The aid, converted from the bvid where that is what was given.
    public var aid: Int64 {
        switch self {
        case .aid(let aid): aid
        case .bvid(let bvid): Self.aid(fromBvid: bvid) ?? 0
        }
    }

    public var bvid: String {
        switch self {
        case .aid(let aid): Self.bvid(fromAid: aid)
        case .bvid(let bvid): bvid
        }
    }

    public var description: String {
        switch self {
        case .aid(let aid): "av\(aid)"
        case .bvid(let bvid): bvid
        }
    }

    /// Bilibili's public aid → bvid mapping: `(2^51 | aid) XOR code` written in base 58 over a shuffled
    /// alphabet behind "BV1", then two pairs of positions swapped.
    public static func bvid(fromAid aid: Int64) -> String {
        var chars = Array("BV1000000000")
        var value = (BvidCode.maxAid | aid) ^ BvidCode.xor
        var index = chars.count - 1
        while value > 0 {
            chars[index] = BvidCode.alphabet[Int(value % 58)]
            value /= 58
            index -= 1
        }
        chars.swapAt(3, 9)
        chars.swapAt(4, 7)
        return String(chars)
    }

    /// The inverse of `bvid(fromAid:)`; nil when `bvid` has a character outside the alphabet.
    public static func aid(fromBvid bvid: String) -> Int64? {
        var chars = Array(bvid)
        guard chars.count == 12 else { return nil }
        chars.swapAt(3, 9)
        chars.swapAt(4, 7)
        var value: Int64 = 0
        for c in chars[3...] {
            guard let digit = BvidCode.alphabet.firstIndex(of: c) else { return nil }
            value = value * 58 + Int64(digit)
        }
        return (value & BvidCode.mask) ^ BvidCode.xor
    }
}

private enum BvidCode {
    static let alphabet = Array("FcwAPNKTMug3GV5Lj7EJnHpWsx4tb8haYeviqBz6rkCy12mUSDQX9RdoZf")
    static let xor: Int64 = 23_442_827_791_579
    static let mask: Int64 = (1 << 51) - 1
    static let maxAid: Int64 = 1 << 51
}
