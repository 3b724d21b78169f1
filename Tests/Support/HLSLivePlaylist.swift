import Foundation

/// The text of a live media playlist at one moment: which segments are out, which the window shows.
/// Media sequence numbers are segment indices. Segments that are never published (`dropped`) make the
/// sequence jump between two reloads, the way a client detects missed segments: numbering within one
/// playlist is implicit and contiguous, so the window never spans the gap.
struct HLSLivePlaylist {
    let durations: [Double]
    let segmentNames: [String]
    let initSectionName: String?
    let window: Int
    let discontinuityAt: Int?
    let dropped: Range<Int>
    /// The EXT-X-PROGRAM-DATE-TIME of segment 0; later ones add the durations before them.
    var programDateTime: Date? = nil

    /// Segments out after `mediaTime` seconds: the first is out from the start (a live playlist is never
    /// empty), and each following one once the one before it has been fully "recorded".
    func publishedCount(mediaTime: Double) -> Int {
        var end = 0.0
        var count = 1
        while count < durations.count, end + durations[count - 1] <= mediaTime {
            end += durations[count - 1]
            count += 1
        }
        return count
    }

    func isAvailable(_ index: Int, mediaTime: Double) -> Bool {
        index < publishedCount(mediaTime: mediaTime) && !dropped.contains(index)
    }

    func text(mediaTime: Double) -> String {
        let published = publishedCount(mediaTime: mediaTime)
        let afterGap = published > dropped.upperBound ? dropped.upperBound : 0
        let shown = (afterGap..<published).filter { !dropped.contains($0) }.suffix(window)
        let first = shown.first ?? published
        let targetDuration = Int(durations.max()!.rounded(.up))
        // fMP4 (EXT-X-MAP outside I-frame playlists) needs version 6; 3 covers the rest.
        var lines = ["#EXTM3U", "#EXT-X-VERSION:\(initSectionName == nil ? 3 : 6)",
                     "#EXT-X-TARGETDURATION:\(targetDuration)", "#EXT-X-MEDIA-SEQUENCE:\(first)"]
        if let discontinuityAt, discontinuityAt < first {
            lines.append("#EXT-X-DISCONTINUITY-SEQUENCE:1")  // the discontinuity slid out of the window
        }
        if let initSectionName { lines.append("#EXT-X-MAP:URI=\"\(initSectionName)\"") }
        for index in shown {
            if index == discontinuityAt { lines.append("#EXT-X-DISCONTINUITY") }
            if let programDateTime {
                let stamp = programDateTime.addingTimeInterval(durations[..<index].reduce(0, +))
                lines.append("#EXT-X-PROGRAM-DATE-TIME:" + stamp.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            }
            lines.append(String(format: "#EXTINF:%.3f,", durations[index]))
            lines.append(segmentNames[index])
        }
        if published == durations.count { lines.append("#EXT-X-ENDLIST") }
        return lines.joined(separator: "\n") + "\n"
    }
}
