import CFFmpeg

public enum MediaKind: Sendable, Equatable {
    case video, audio, other
}

/// One elementary stream of an input: codec parameters (owned copy) and the time base of its packets.
public final class Track {
    public let index: Int
    public let parameters: UnsafeMutablePointer<AVCodecParameters>
    public let timeBase: AVRational

    /// Copies `parameters`.
    public init(index: Int, copying parameters: UnsafePointer<AVCodecParameters>, timeBase: AVRational) {
        self.index = index
        self.parameters = avcodec_parameters_alloc()!
        avcodec_parameters_copy(self.parameters, parameters)
        self.timeBase = timeBase
    }

    /// Takes ownership of `parameters`.
    public init(index: Int, owning parameters: UnsafeMutablePointer<AVCodecParameters>, timeBase: AVRational) {
        self.index = index
        self.parameters = parameters
        self.timeBase = timeBase
    }

    deinit {
        var p: UnsafeMutablePointer<AVCodecParameters>? = parameters
        avcodec_parameters_free(&p)
    }

    public var kind: MediaKind {
        switch parameters.pointee.codec_type {
        case AVMEDIA_TYPE_VIDEO: return .video
        case AVMEDIA_TYPE_AUDIO: return .audio
        default: return .other
        }
    }

    public var codecName: String { String(cString: avcodec_get_name(parameters.pointee.codec_id)) }

    public var extradata: [UInt8] {
        let p = parameters.pointee
        guard let d = p.extradata, p.extradata_size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: d, count: Int(p.extradata_size)))
    }

    /// Same codec and headers: packets of one can continue a file opened for the other.
    public func sameCodec(as other: Track) -> Bool {
        let a = parameters.pointee, b = other.parameters.pointee
        return a.codec_type == b.codec_type && a.codec_id == b.codec_id && a.width == b.width
            && a.height == b.height && a.sample_rate == b.sample_rate
            && a.ch_layout.nb_channels == b.ch_layout.nb_channels && extradata == other.extradata
    }

    /// A one-line description for logs and reports, e.g. "h264 1920x1080" or "aac 48000 Hz 2 ch".
    public var summary: String {
        let p = parameters.pointee
        switch kind {
        case .video: return "\(codecName) \(p.width)x\(p.height)"
        case .audio: return "\(codecName) \(p.sample_rate) Hz \(p.ch_layout.nb_channels) ch"
        case .other: return codecName
        }
    }
}

extension [Track] {
    /// Whether a recording of `self` can go on with packets described by `other`.
    public func sameCodecs(as other: [Track]) -> Bool {
        count == other.count && zip(self, other).allSatisfy { $0.sameCodec(as: $1) }
    }
}
