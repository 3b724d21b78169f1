/// The containers a recording can be written as.
public enum OutputFormat: String, CaseIterable, Sendable {
    case flv, ts, mkv, mp4

    public var fileExtension: String { rawValue }

    /// Every format's name, for help texts and errors: "flv, ts, mkv or mp4".
    public static var names: String {
        let all = allCases.map(\.rawValue)
        return all.dropLast().joined(separator: ", ") + " or " + all.last!
    }

    /// What a browser is told the file is.
    public var mimeType: String {
        switch self {
        case .flv: return "video/x-flv"
        case .ts: return "video/mp2t"
        case .mkv: return "video/x-matroska"
        case .mp4: return "video/mp4"
        }
    }

    /// libavformat's muxer name.
    var muxerName: String {
        switch self {
        case .flv: return "flv"
        case .ts: return "mpegts"
        case .mkv: return "matroska"
        case .mp4: return "mp4"
        }
    }

    /// Muxer options that keep a file readable if the process dies while writing it.
    var muxerOptions: [String: String] {
        switch self {
        // Fragmented MP4 (a moov up front, then moof+mdat pairs): a killed process leaves every
        // finished fragment playable. Fragments close at each keyframe and at least every second.
        case .mp4: return ["movflags": "frag_keyframe+empty_moov+default_base_moof", "frag_duration": "1000000"]
        // Clusters of at most one second, so at most that much sits in the muxer's memory.
        case .mkv: return ["cluster_time_limit": "1000", "cluster_size_limit": "4194304"]
        case .ts, .flv: return [:]
        }
    }

    /// The muxer that writes `tracks` in this format: our own FLV writer where it can (it is cheaper and
    /// writes HEVC as CDNs do), libavformat otherwise.
    func makeMuxer(file: CreatedFile, tracks: [Track]) throws(MediaError) -> any SegmentMuxer {
        if self == .flv && FlvWriter.canWrite(tracks) { return try FlvWriter(file: file, tracks: tracks) }
        return try LibavMuxer(file: file, tracks: tracks, format: self)
    }
}
