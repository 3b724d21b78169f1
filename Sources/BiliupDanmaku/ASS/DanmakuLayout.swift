/// Where and when one comment is shown. Times are in centiseconds, the resolution of ASS timestamps, so
/// what the layout checked is exactly what the file says.
struct DanmakuPlacement: Equatable {
    enum Lane: Equatable {
        /// Moves from x = screen width (its left edge) to x = -width (its right edge at 0), top edge at y.
        case scrolling(y: Int)
        /// Centred, top edge at y.
        case top(y: Int)
        /// Centred, bottom edge at y.
        case bottom(y: Int)
    }

    var start: Int
    var end: Int
    var lane: Lane
    var fontSize: Int
    /// Horizontal room the comment takes, including its outline and the gap kept to the next one.
    var width: Int
}

/// Gives each comment, in time order, a lane where it overlaps no other comment, or nothing when none
/// frees up within `maxDelay` (the screen is full).
///
/// Scrolling comments all cross the screen in the same time, so a longer one moves faster. A comment B
/// may follow A in a lane once A has fully entered the screen (A's right edge at or left of the screen's
/// right edge when B appears) and if B cannot catch A before A has left (B's left edge still at or right
/// of 0 when A's right edge reaches 0). The distance between A's right edge and B's left edge changes
/// linearly, so holding at those two moments holds throughout. Comments of a larger size take as many
/// lanes as their height needs.
struct DanmakuLayout {
    private struct Occupant {
        var start: Int
        var width: Int
    }

    let screenWidth: Int
    let screenHeight: Int
    let fontSize: Int
    let laneHeight: Int
    let outline: Int
    private let scrollTime: Int
    private let fixedTime: Int
    private let maxDelay: Int
    private var scrolling: [Occupant?]
    /// When each fixed lane frees up.
    private var topFree: [Int]
    private var bottomFree: [Int]

    init(options: DanmakuASS.Options) {
        screenWidth = options.width
        screenHeight = options.height
        fontSize = options.resolvedFontSize
        // An ASS font size is the line's height; the extra eighth keeps outlines of adjacent lanes apart.
        laneHeight = Int((Double(fontSize) * 1.125).rounded(.up))
        outline = max(1, Int((Double(fontSize) / 18).rounded()))
        scrollTime = Int((options.scrollDuration * 100).rounded())
        fixedTime = Int((options.fixedDuration * 100).rounded())
        maxDelay = Int((options.maxDelay * 100).rounded())
        let scrollingLanes = max(1, Int(options.area * Double(screenHeight)) / laneHeight)
        let fixedLanes = max(1, screenHeight / 2 / laneHeight)
        scrolling = Array(repeating: nil, count: scrollingLanes)
        topFree = Array(repeating: 0, count: fixedLanes)
        bottomFree = Array(repeating: 0, count: fixedLanes)
    }

    /// The font size a comment of Bilibili size `size` (25 = normal) is drawn at.
    func fontSize(forSize size: Int) -> Int {
        max(1, Int((Double(fontSize) * Double(min(max(size, 12), 64)) / 25).rounded()))
    }

    /// Places a comment appearing at `time` (centiseconds); comments must come in time order.
    mutating func place(text: String, position: DanmakuComment.Position, size: Int, time: Int) -> DanmakuPlacement? {
        let commentFont = fontSize(forSize: size)
        let lanesNeeded = max(1, (commentFont + fontSize - 1) / fontSize)
        switch position {
        case .scrolling:
            let width = DanmakuTextWidth.estimate(text, fontSize: commentFont) + 2 * outline + fontSize / 2
            guard let (first, start) = earliest(lanes: scrolling.count, needed: lanesNeeded, time: time, free: { lane in
                scrolling[lane].map { followingStart(after: $0, width: width) } ?? 0
            }) else { return nil }
            for lane in first..<min(first + lanesNeeded, scrolling.count) { scrolling[lane] = Occupant(start: start, width: width) }
            return DanmakuPlacement(start: start, end: start + scrollTime, lane: .scrolling(y: first * laneHeight),
                                    fontSize: commentFont, width: width)
        case .top, .bottom:
            let isTop = position == .top
            let free = isTop ? topFree : bottomFree
            guard let (first, start) = earliest(lanes: free.count, needed: lanesNeeded, time: time, free: { free[$0] }) else { return nil }
            for lane in first..<min(first + lanesNeeded, free.count) {
                if isTop { topFree[lane] = start + fixedTime } else { bottomFree[lane] = start + fixedTime }
            }
            let width = DanmakuTextWidth.estimate(text, fontSize: commentFont) + 2 * outline
            return DanmakuPlacement(start: start, end: start + fixedTime,
                                    lane: isTop ? .top(y: first * laneHeight) : .bottom(y: screenHeight - first * laneHeight),
                                    fontSize: commentFont, width: width)
        }
    }

    /// The first run of `needed` adjacent lanes that frees up soonest (the topmost of equals), and when:
    /// nil if that is more than `maxDelay` after `time`.
    private func earliest(lanes: Int, needed: Int, time: Int, free: (Int) -> Int) -> (lane: Int, start: Int)? {
        let needed = min(needed, lanes)
        let freeAt = (0..<lanes).map(free)
        var best: (lane: Int, start: Int)?
        for first in 0...(lanes - needed) {
            let start = max(time, freeAt[first..<(first + needed)].max()!)
            if best == nil || start < best!.start { best = (first, start) }
            if start == time { break }
        }
        guard let best, best.start - time <= maxDelay else { return nil }
        return best
    }

    /// The earliest start for a comment `width` wide behind `a` in the same lane (see the type's comment).
    /// Both bounds are rounded towards later, so the file's whole centiseconds never make them overlap.
    private func followingStart(after a: Occupant, width: Int) -> Int {
        let w = screenWidth, d = scrollTime
        let entered = a.start + (a.width * d + (w + a.width) - 1) / (w + a.width)
        let notCaught = a.start + d - (w * d) / (w + width)
        return max(entered, notCaught)
    }
}
