import BiliupNet

/// Errors of the recording core, each worded so the user knows what went wrong with which input.
public enum MediaError: Error, Sendable, CustomStringConvertible {
    case network(NetError)
    /// The URL answered, but not with a stream we understand (HTML page, unknown bytes).
    case notAStream(String)
    case invalidFLV(String)
    case invalidPlaylist(String)
    case demux(String)
    case mux(String)
    case unsupported(String)
    case io(String)
    case stalled(seconds: Double)
    /// The platform (its plugin) could not say where the stream is right now.
    case source(String)
    case cancelled

    public var description: String {
        switch self {
        case .network(let e): return e.description
        case .notAStream(let m): return "not a media stream: \(m)"
        case .invalidFLV(let m): return "invalid FLV: \(m)"
        case .invalidPlaylist(let m): return "malformed playlist: \(m)"
        case .demux(let m): return "cannot read stream: \(m)"
        case .mux(let m): return "cannot write file: \(m)"
        case .unsupported(let m): return "unsupported: \(m)"
        case .io(let m): return m
        case .stalled(let s): return "stream stalled: no data for \(Int(s)) s"
        case .source(let m): return m
        case .cancelled: return "cancelled"
        }
    }

    /// Whether trying the same input again later may succeed (a drop) or not (wrong URL, wrong content).
    public var isRetryable: Bool {
        switch self {
        case .network(let e):
            switch e {
            case .invalidURL, .schemeNotAllowed, .invalidRequest, .privateAddress, .cancelled: return false
            case .httpStatus(let s, _): return s >= 500 || s == 408 || s == 429
            default: return true
            }
        case .stalled, .demux, .source: return true
        default: return false
        }
    }
}
