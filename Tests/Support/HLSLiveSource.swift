import Foundation
import Synchronization

/// Serves `HLSMedia` as a live HLS stream at `/hls/<name>/index.m3u8`, segments at `seg<N>.ts|.m4s`
/// (and `init.mp4` for fMP4), at `speed` × real time. The clock starts with the first request; the
/// window slides as segments are published; once all are out the playlist ends with EXT-X-ENDLIST.
public final class HLSLiveSource: Sendable {
    public struct Options: Sendable {
        /// Media seconds per real second.
        public var speed: Double
        /// Segments listed in the playlist.
        public var window: Int
        /// Also serve `master.m3u8`, listing a lower variant (`low.m3u8`, never served, so a client that
        /// picks it fails visibly) before this stream.
        public var masterPlaylist: Bool
        /// Write EXT-X-DISCONTINUITY before this segment index.
        public var discontinuityAt: Int?
        /// Never publish the `count` segments after `afterIndex`: the media sequence jumps over them.
        public var dropSegments: (afterIndex: Int, count: Int)?
        /// Answer the first request for this segment index with 500.
        public var failSegmentOnce: Int?
        /// Stamp each segment with EXT-X-PROGRAM-DATE-TIME: this date plus the durations of the segments before it.
        public var programDateTime: Date?

        public init(speed: Double = 1, window: Int = 4, masterPlaylist: Bool = false, discontinuityAt: Int? = nil,
                    dropSegments: (afterIndex: Int, count: Int)? = nil, failSegmentOnce: Int? = nil,
                    programDateTime: Date? = nil) {
            self.speed = speed
            self.window = window
            self.masterPlaylist = masterPlaylist
            self.discontinuityAt = discontinuityAt
            self.dropSegments = dropSegments
            self.failSegmentOnce = failSegmentOnce
            self.programDateTime = programDateTime
        }
    }

    private static let playlistType = "application/vnd.apple.mpegurl"

    /// The media playlist.
    public let playlistURL: URL
    /// The master playlist (served only with `Options.masterPlaylist`).
    public let masterURL: URL
    private let playlist: HLSLivePlaylist
    private let options: Options
    private let state = Mutex(State())

    private struct State {
        var clockStart: ContinuousClock.Instant?
        var playlistRequests = 0
        var segmentRequests = 0
        var segmentsServed = 0
        var requested: Set<Int> = []
        var failedOnce = false
    }

    public init(server: LoopbackHTTPServer, name: String, media: HLSMedia, options: Options = Options()) throws {
        let directory = "/hls/\(name)/"
        let base = server.baseURL.appendingPathComponent(String(directory.dropFirst()))
        playlistURL = base.appendingPathComponent("index.m3u8")
        masterURL = base.appendingPathComponent("master.m3u8")
        self.options = options
        let names = media.segments.enumerated().map { "seg\($0.offset).\($0.element.pathExtension)" }
        let dropped = options.dropSegments.map { $0.afterIndex + 1..<$0.afterIndex + 1 + $0.count } ?? 0..<0
        playlist = HLSLivePlaylist(durations: media.durations, segmentNames: names,
                                   initSectionName: media.initSection.map { _ in HLSMedia.initSectionName },
                                   window: options.window, discontinuityAt: options.discontinuityAt, dropped: dropped,
                                   programDateTime: options.programDateTime)

        let segments = try media.segments.map { try Data(contentsOf: $0) }
        let segmentType = media.initSection == nil ? "video/mp2t" : "video/iso.segment"
        server.route(directory + "index.m3u8") { [self] _, response in
            let text = playlist.text(mediaTime: mediaTime(countingPlaylist: true))
            response.send(status: 200, headers: ["Content-Type": Self.playlistType], body: Data(text.utf8))
        }
        for (index, body) in segments.enumerated() {
            server.route(directory + names[index]) { [self] _, response in
                let status = segmentStatus(index)
                response.send(status: status, headers: status == 200 ? ["Content-Type": segmentType] : [:],
                              body: status == 200 ? body : Data())
            }
        }
        if let initSection = media.initSection {
            let body = try Data(contentsOf: initSection)
            server.route(directory + HLSMedia.initSectionName) { _, response in
                response.send(status: 200, headers: ["Content-Type": "video/mp4"], body: body)
            }
        }
        if options.masterPlaylist {
            let master = Self.masterPlaylist(media: media, segments: segments)
            server.route(directory + "master.m3u8") { [self] _, response in
                _ = mediaTime(countingPlaylist: false)  // a client starting here starts the clock
                response.send(status: 200, headers: ["Content-Type": Self.playlistType], body: Data(master.utf8))
            }
        }
    }

    /// Requests for the media playlist.
    public var playlistRequests: Int { state.withLock { $0.playlistRequests } }
    /// Requests for segments, whatever the answer.
    public var segmentRequests: Int { state.withLock { $0.segmentRequests } }
    /// Segment requests answered 200.
    public var segmentsServed: Int { state.withLock { $0.segmentsServed } }
    /// Different segments requested at least once.
    public var distinctSegmentsRequested: Int { state.withLock { $0.requested.count } }
    /// Indexes of the segments requested at least once, in order.
    public var requestedSegments: [Int] { state.withLock { $0.requested.sorted() } }

    /// Media seconds since the clock started (starting it if needed).
    private func mediaTime(countingPlaylist: Bool) -> Double {
        let now = ContinuousClock.now
        return state.withLock { state in
            if countingPlaylist { state.playlistRequests += 1 }
            let start = state.clockStart ?? now
            state.clockStart = start
            return (now - start) / .seconds(1) * options.speed
        }
    }

    /// 200, or 404 for a segment not (or never) published, or 500 for the one failing once.
    private func segmentStatus(_ index: Int) -> Int {
        let time = mediaTime(countingPlaylist: false)
        return state.withLock { state in
            state.segmentRequests += 1
            state.requested.insert(index)
            guard playlist.isAvailable(index, mediaTime: time) else { return 404 }
            if index == options.failSegmentOnce && !state.failedOnce {
                state.failedOnce = true
                return 500
            }
            state.segmentsServed += 1
            return 200
        }
    }

    /// Two variants: a lower one first (so a client that takes the first is caught), then this stream
    /// with its peak segment bitrate as BANDWIDTH, as the spec defines it.
    private static func masterPlaylist(media: HLSMedia, segments: [Data]) -> String {
        let peak = zip(segments, media.durations).map { Int(Double($0.count * 8) / $1) }.max()!
        return """
            #EXTM3U
            #EXT-X-STREAM-INF:BANDWIDTH=\(peak / 4),RESOLUTION=\(media.width / 2)x\(media.height / 2)
            low.m3u8
            #EXT-X-STREAM-INF:BANDWIDTH=\(peak),RESOLUTION=\(media.width)x\(media.height)
            index.m3u8

            """
    }
}
