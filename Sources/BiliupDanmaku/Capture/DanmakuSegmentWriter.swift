import Foundation

/// Sorts one recording's chat into its video segments' XML files, on one thread, with every instant
/// passed in (seconds since the reference date, as `Date` counts them) so that its rules can be checked
/// exactly.
///
/// A message that arrived at T belongs to the segment whose first frame is at or before T and whose
/// successor's is after it. A segment's opening reaches the writer a little after its first frame (the
/// frame was buffered, then cut), so messages are held back before they are written: an opening that
/// comes late still gets the messages that are its own. Held messages from before a segment's first
/// frame go to the previous file while it is open, and otherwise to the earliest open one at time 0;
/// while no file is open they wait for the next. Connection gaps are noted where they happened.
final class DanmakuSegmentWriter {
    struct Settings: Sendable {
        var room: String
        var platform: String
        var detail: Bool
        /// Seconds a message is held before it is written to the current file (at least).
        var holdback: Double
        /// Held items beyond this are written early (or dropped when no file is open): the bound on
        /// memory when a flood meets a long holdback or no file is open.
        var heldCapacity: Int
        var assWriter: (@Sendable (String) throws -> String?)?
    }

    /// The holdback grows to the largest measured arrival lag plus this, since a segment's opening comes
    /// that much after its first frame (HLS delivers whole media segments at once).
    static let lagMargin: Double = 0.5
    /// …up to this: a source that lags more gets its cuts less exact rather than unbounded holding.
    static let maxHoldback: Double = 30

    private enum Item {
        case message(DanmakuMessage)
        case gap(from: Double, to: Double, reason: String)
        case dropped(Int)
    }

    private struct Held {
        var time: Double
        var item: Item
    }

    private let settings: Settings
    /// Held items in arrival order; those before `heldHead` are done.
    private var held: [Held] = []
    private var heldHead = 0
    /// The files being written, in the order their segments opened.
    private var open: [SegmentXMLFile] = []
    private var largestLag: Double = 0
    /// The connection is down since this instant (or since the end of the segment that noted the
    /// earlier part of the gap).
    private var gapStart: (at: Double, reason: String)?
    /// Messages that no segment took: dropped while no file was open, or left after the last segment.
    private(set) var unplaced = 0

    init(settings: Settings) {
        self.settings = settings
    }

    var holdback: Double { min(max(settings.holdback, largestLag + Self.lagMargin), Self.maxHoldback) }
    var heldCount: Int { held.count - heldHead }

    // MARK: - Segments

    func opened(videoPath: String, firstFrameAt: Date, arrivalLag: Double, programDateTime: Date? = nil, now: Double) {
        guard !open.contains(where: { $0.videoPath == videoPath }) else { return }
        largestLag = max(largestLag, arrivalLag)
        let header = DanmakuXMLWriter.Header(room: settings.room, platform: settings.platform,
                                             segmentStart: firstFrameAt, offset: arrivalLag, programDateTime: programDateTime)
        open.append(SegmentXMLFile(videoPath: videoPath, header: header, detail: settings.detail, now: now))
    }

    /// Writes what belongs to the segment of `videoPath` and completes its file; nil for a segment that
    /// never opened here. `refinedStart`: its first frame on the chat's clock as measured by now.
    func closing(videoPath: String, refinedStart: Double? = nil, now: Double) -> DanmakuSegmentSummary? {
        guard let index = open.firstIndex(where: { $0.videoPath == videoPath }) else { return nil }
        let file = open[index]
        let next = index + 1 < open.count ? open[index + 1] : nil
        let end = next?.start ?? max(now, file.start)
        // Everything held that belongs here or earlier goes now, whatever the holdback says.
        var kept: [Held] = []
        for h in held[heldHead...] {
            if next == nil || h.time < end { place(h) } else { kept.append(h) }
        }
        held = kept
        heldHead = 0
        if let gap = gapStart, gap.at < end {
            file.noteGap(from: gap.at, to: end, reason: gap.reason + " (still down when the segment ended)")
            gapStart = (end, gap.reason)
        }
        open.remove(at: index)
        return file.finish(assWriter: settings.assWriter, refinedStart: refinedStart)
    }

    /// The recording ended: files still open are completed, and what is held is counted as unplaced.
    func finish(now: Double) -> Int {
        while let file = open.first { _ = closing(videoPath: file.videoPath, now: now) }
        for h in held[heldHead...] { unplaced += messageCount(h.item) }
        held.removeAll()
        heldHead = 0
        return unplaced
    }

    // MARK: - Chat

    func add(_ messages: [DanmakuMessage]) {
        for m in messages { held.append(Held(time: m.receivedAt.timeIntervalSinceReferenceDate, item: .message(m))) }
    }

    func disconnected(at: Date, reason: String) {
        if gapStart == nil { gapStart = (at.timeIntervalSinceReferenceDate, reason) }
    }

    func connected(at: Date) {
        guard let gap = gapStart else { return }
        gapStart = nil
        held.append(Held(time: gap.at, item: .gap(from: gap.at, to: max(gap.at, at.timeIntervalSinceReferenceDate), reason: gap.reason)))
    }

    /// `count` messages from `at` on were lost before they reached the writer.
    func dropped(_ count: Int, at: Date) {
        guard count > 0 else { return }
        held.append(Held(time: at.timeIntervalSinceReferenceDate, item: .dropped(count)))
    }

    // MARK: - Time passing

    /// Writes what has been held long enough, flushes files that are due, and returns when there will be
    /// more to do (nil: nothing until something new arrives).
    func tick(now: Double) -> Double? {
        let hold = holdback
        while heldHead < held.count {
            let h = held[heldHead]
            let overCapacity = heldCount > settings.heldCapacity
            guard overCapacity || now - h.time >= hold else { break }
            if open.isEmpty {
                guard overCapacity else { break }
                unplaced += messageCount(h.item)
            } else {
                place(h)
            }
            heldHead += 1
        }
        compactHeld()
        var next: Double?
        for file in open {
            if let due = file.flushDue {
                if due <= now { file.flush(now: now) } else { next = min(next ?? due, due) }
            }
        }
        if heldHead < held.count, !open.isEmpty {
            let due = held[heldHead].time + hold
            next = min(next ?? due, due)
        }
        return next
    }

    // MARK: - Placing

    /// The open file an instant belongs to: the last opened whose first frame is not after it, else the
    /// earliest open one (the instant's own segment has closed, or none had opened yet).
    private func file(for time: Double) -> SegmentXMLFile? {
        var chosen = open.first
        for f in open.dropFirst() where f.start <= time { chosen = f }
        return chosen
    }

    private func place(_ h: Held) {
        guard let file = file(for: h.time) else {
            unplaced += messageCount(h.item)
            return
        }
        switch h.item {
        case .message(let m): file.write(m)
        case .dropped(let n): file.noteDropped(n, at: h.time)
        case .gap(let from, let to, let reason):
            // The part before the file's first frame was in no open segment's time (chat was down
            // between recordings or before the first); nothing of a gap that ended by then is noted.
            let from = max(from, file.start)
            guard to > from else { return }
            // A gap that runs past the next segment's first frame is split at it.
            if let i = open.firstIndex(where: { $0 === file }), i + 1 < open.count, open[i + 1].start < to {
                let cut = max(open[i + 1].start, from)
                file.noteGap(from: from, to: cut, reason: reason)
                place(Held(time: cut, item: .gap(from: cut, to: to, reason: reason)))
            } else {
                file.noteGap(from: from, to: to, reason: reason)
            }
        }
    }

    private func messageCount(_ item: Item) -> Int {
        switch item {
        case .message: 1
        case .dropped(let n): n
        case .gap: 0
        }
    }

    private func compactHeld() {
        if heldHead == held.count {
            held.removeAll(keepingCapacity: true)
            heldHead = 0
        } else if heldHead >= 4096 && heldHead * 2 >= held.count {
            held.removeFirst(heldHead)
            heldHead = 0
        }
    }
}
