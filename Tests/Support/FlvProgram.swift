import Foundation

/// The tags of one or more FLV files laid end to end on one timeline (milliseconds from 0), as a live
/// source plays them. Script tags are kept aside per file (each new connection gets one); sequence
/// headers stay in place, which is how a switch to a file with other codec parameters (a new
/// resolution) reaches clients mid-stream. End-of-sequence markers are dropped: they mark where ffmpeg
/// closed a file, and a live stream does not carry them at file switches or loop restarts.
///
/// Positions are sequence numbers that keep counting past the end, for looping: number `s` is entry
/// `s % count` in pass `s / count`, each pass `duration` later than the one before. Immutable, so many
/// sources can share one copy (the benchmark serves hundreds of streams from one file in memory).
public final class FlvProgram: Sendable {
    struct Entry: Sendable {
        let tag: FlvTag
        /// Milliseconds on the program timeline, within the first pass.
        let time: Int
        let file: Int
    }

    let entries: [Entry]
    let scripts: [FlvTag?]
    /// One pass, to the end of its last frame: where a looping source starts over.
    let duration: Int
    let hasAudio: Bool
    let hasVideo: Bool
    private let firstEntryOfFile: [Int]
    /// Frames (`FlvTag.isFrame`) before each entry, and in total at the end.
    private let videoFramesBefore: [Int]
    private let audioFramesBefore: [Int]

    public convenience init(files: [URL]) throws {
        try self.init(flvs: files.map(FlvTagReader.read))
    }

    init(flvs: [FlvFile]) {
        var entries: [Entry] = []
        var scripts: [FlvTag?] = []
        var firstEntryOfFile: [Int] = []
        var fileStart = 0
        for (file, flv) in flvs.enumerated() {
            let media = flv.tags.filter { !$0.isScript && !$0.isEndOfSequence }
            scripts.append(flv.tags.first(where: \.isScript))
            firstEntryOfFile.append(entries.count)
            let first = media.map(\.timestamp).min() ?? 0
            entries += media.map { Entry(tag: $0, time: fileStart + $0.timestamp - first, file: file) }
            fileStart += (media.map(\.timestamp).max() ?? first) - first + Self.lastFrameDuration(media)
        }
        precondition(!entries.isEmpty, "a live source needs at least one audio or video tag")
        self.entries = entries
        self.scripts = scripts
        self.firstEntryOfFile = firstEntryOfFile
        duration = max(fileStart, 1)
        hasAudio = entries.contains { $0.tag.isAudio }
        hasVideo = entries.contains { $0.tag.isVideo }
        let frames = entries.map { (video: $0.tag.isVideo && $0.tag.isFrame, audio: $0.tag.isAudio && $0.tag.isFrame) }
        videoFramesBefore = frames.reduce(into: [0]) { $0.append($0.last! + ($1.video ? 1 : 0)) }
        audioFramesBefore = frames.reduce(into: [0]) { $0.append($0.last! + ($1.audio ? 1 : 0)) }
    }

    var count: Int { entries.count }

    /// The time of the last entry of the first pass: a source that does not loop is over after it.
    var lastTime: Int { entries[entries.count - 1].time }

    func entry(_ sequence: Int) -> Entry {
        entries[sequence % entries.count]
    }

    func time(of sequence: Int) -> Int {
        entry(sequence).time + sequence / entries.count * duration
    }

    /// Where a client joining at `live` starts, as a CDN's GOP cache has it: the latest keyframe at or
    /// before `live`. Until a file's second keyframe the cache is all of that file so far, so a client
    /// there from the beginning loses nothing (not even the audio before the first keyframe). Audio-only
    /// streams have no GOP to cache and start at the latest due frame.
    func joinPoint(live: Int) -> Int {
        let pass = live / duration
        let within = live - pass * duration
        // The last entry due: binary search on entry times, which never decrease.
        var (low, high) = (0, entries.count)
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].time <= within { low = middle + 1 } else { high = middle }
        }
        let lastDue = low - 1
        let passStart = pass * entries.count
        guard lastDue >= 0 else { return passStart }
        guard hasVideo else { return passStart + lastDue }
        let fileStart = firstEntryOfFile[entries[lastDue].file]
        let keyframes = (fileStart...lastDue).filter { entries[$0].tag.isFrame && entries[$0].tag.isKeyframe }
        return passStart + (keyframes.count >= 2 ? keyframes.last! : fileStart)
    }

    /// What a client joining at `sequence` needs first: the script tag of that entry's file and the
    /// sequence headers in force at the first frame from there on.
    func headers(at sequence: Int) -> (script: FlvTag?, video: FlvTag?, audio: FlvTag?) {
        let index = min(sequence % entries.count, entries.count - 1)
        let firstFrame = entries[index...].firstIndex { $0.tag.isFrame } ?? entries.count - 1
        let earlier = entries[...firstFrame].reversed()
        return (scripts[entries[index].file],
                earlier.first { $0.tag.isVideo && $0.tag.isSequenceHeader }?.tag,
                earlier.first { $0.tag.isAudio && $0.tag.isSequenceHeader }?.tag)
    }

    /// Video and audio frames among the sequence numbers in `range`.
    func frames(in range: Range<Int>) -> (video: Int, audio: Int) {
        func before(_ sequence: Int, _ prefix: [Int]) -> Int {
            sequence / entries.count * prefix[entries.count] + prefix[sequence % entries.count]
        }
        return (before(range.upperBound, videoFramesBefore) - before(range.lowerBound, videoFramesBefore),
                before(range.upperBound, audioFramesBefore) - before(range.lowerBound, audioFramesBefore))
    }

    /// How long the last frame lasts, taken as the gap before it (video if any, else audio): the next
    /// file or pass starts that long after the last frame, as the next frame of one stream would.
    private static func lastFrameDuration(_ tags: [FlvTag]) -> Int {
        let video = tags.filter { $0.isVideo && $0.isFrame }
        let frames = video.count >= 2 ? video : tags.filter { $0.isAudio && $0.isFrame }
        guard frames.count >= 2 else { return 0 }
        return frames[frames.count - 1].timestamp - frames[frames.count - 2].timestamp
    }
}
