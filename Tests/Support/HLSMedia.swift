import Foundation

/// HLS segments made by `TestMedia.hlsSegments`, in playback order.
public struct HLSMedia: Sendable {
    static let playlistName = "index.m3u8"
    static let initSectionName = "init.mp4"

    public let directory: URL
    public let segments: [URL]
    /// Seconds, from each segment's EXTINF.
    public let durations: [Double]
    /// The fMP4 initialization section (EXT-X-MAP); nil for MPEG-TS segments.
    public let initSection: URL?
    public let width: Int
    public let height: Int

    /// Reads the VOD playlist ffmpeg wrote into `directory`.
    init(directory: URL, width: Int, height: Int) throws {
        let playlist = directory.appendingPathComponent(Self.playlistName)
        var segments: [URL] = []
        var durations: [Double] = []
        var initSection: URL?
        var pendingDuration: Double?
        for line in try String(contentsOf: playlist, encoding: .utf8).split(whereSeparator: \.isNewline) {
            if line.hasPrefix("#EXTINF:") {
                let value = line.dropFirst("#EXTINF:".count).prefix { $0 != "," }
                guard let duration = Double(value) else {
                    throw TestSupportError.malformedPlaylist(playlist, "bad EXTINF: \(line)")
                }
                pendingDuration = duration
            } else if line.hasPrefix("#EXT-X-MAP:") {
                initSection = directory.appendingPathComponent(Self.initSectionName)
            } else if !line.hasPrefix("#") {
                guard let duration = pendingDuration else {
                    throw TestSupportError.malformedPlaylist(playlist, "segment without EXTINF: \(line)")
                }
                segments.append(directory.appendingPathComponent(String(line)))
                durations.append(duration)
                pendingDuration = nil
            }
        }
        guard !segments.isEmpty else { throw TestSupportError.malformedPlaylist(playlist, "no segments") }
        self.directory = directory
        self.segments = segments
        self.durations = durations
        self.initSection = initSection
        self.width = width
        self.height = height
    }
}
