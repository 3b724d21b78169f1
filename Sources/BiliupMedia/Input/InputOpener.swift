import BiliupNet
import Foundation

/// How to reach a stream: a direct URL plus what the request needs.
public struct StreamEndpoint: Sendable {
    public var url: String
    public var headers: [(String, String)]
    public var proxy: String?
    /// Refuse loopback, link-local and private addresses (`block_private_addresses`), for the stream and
    /// everything its playlists name.
    public var blockPrivateAddresses: Bool
    public init(url: String, headers: [(String, String)] = [], proxy: String? = nil, blockPrivateAddresses: Bool = false) {
        self.url = url
        self.headers = headers
        self.proxy = proxy
        self.blockPrivateAddresses = blockPrivateAddresses
    }
}

/// The kind of stream an input turned out to be; decides the default output format.
public enum InputKind: String, Sendable {
    case flv, hlsTS = "hls-ts", hlsFMP4 = "hls-fmp4", mpegts, rtmp

    public var defaultFormat: OutputFormat {
        switch self {
        case .flv, .rtmp: return .flv
        case .hlsTS, .mpegts: return .ts
        case .hlsFMP4: return .mp4
        }
    }
}

/// An opened input: a demuxer and, for byte-stream inputs, the source under it (reopened on boundaries).
struct OpenedInput {
    let kind: InputKind
    let source: ByteSource?
    var demuxer: any PacketSource

    /// A new demuxer on the same source, after the source signalled a boundary.
    mutating func reopen() throws(MediaError) {
        guard let source else { throw .demux("boundary on an input that cannot reopen") }
        demuxer = try InputOpener.demuxer(for: kind, source: source)
    }
}

/// Opens a stream URL: RTMP through libavformat; HTTP(S) by looking at what answers (FLV, an M3U8
/// playlist, MPEG-TS) rather than trusting the URL's extension.
struct InputOpener {
    let endpoint: StreamEndpoint
    let connectTimeout: Duration
    let readTimeout: Duration
    let notes: @Sendable (SourceNote) -> Void

    func open(interrupt: InterruptFlag, onSource: (ByteSource) -> Void) throws(MediaError) -> OpenedInput {
        let url = endpoint.url
        let scheme = url.prefix { $0 != ":" }.lowercased()
        switch scheme {
        case "rtmp", "rtmps":
            // libavformat only ever sees the streamer's own rtmp(s) URL, never a URL from a playlist or a
            // response, and `LibavDemuxer` keeps its nested opens to RTMP's own protocols.
            if endpoint.blockPrivateAddresses { try PublicHostCheck.require(url) }
            return OpenedInput(kind: .rtmp, source: nil,
                               demuxer: try LibavDemuxer(url: url, protocols: LibavDemuxer.rtmpProtocols,
                                                         timeout: readTimeout, cancel: interrupt))
        case "http", "https":
            break
        default:
            throw .unsupported("URL scheme \"\(scheme)\" (use http, https, rtmp or rtmps): \(url)")
        }
        if InputOpener.looksLikePlaylist(url) { return try openHLS(onSource: onSource) }
        var request = HTTPRequest(url: url, headers: endpoint.headers, connectTimeout: connectTimeout, proxy: endpoint.proxy)
        request.blockPrivateAddresses = endpoint.blockPrivateAddresses
        let http = try HTTPByteSource(request: request, readTimeout: readTimeout)
        onSource(http)
        let head = try http.peek()
        switch InputOpener.sniff(head, contentType: http.contentType) {
        case .flv:
            return OpenedInput(kind: .flv, source: http, demuxer: try FlvDemuxer(source: http))
        case .mpegts:
            return OpenedInput(kind: .mpegts, source: http, demuxer: try InputOpener.demuxer(for: .mpegts, source: http))
        case .playlist:
            http.cancel()
            return try openHLS(onSource: onSource)
        case .unknown(let why):
            http.cancel()
            throw .notAStream(why)
        }
    }

    private func openHLS(onSource: (ByteSource) -> Void) throws(MediaError) -> OpenedInput {
        let hls = try HLSSource(url: endpoint.url, headers: endpoint.headers, proxy: endpoint.proxy,
                                blockPrivateAddresses: endpoint.blockPrivateAddresses, readTimeout: readTimeout, notes: notes)
        onSource(hls)
        let kind: InputKind = hls.segmentFormat == .fmp4 ? .hlsFMP4 : .hlsTS
        return OpenedInput(kind: kind, source: hls, demuxer: try InputOpener.demuxer(for: kind, source: hls))
    }

    static func demuxer(for kind: InputKind, source: ByteSource) throws(MediaError) -> any PacketSource {
        switch kind {
        case .flv: return try FlvDemuxer(source: source)
        case .hlsTS, .mpegts: return try LibavDemuxer(source: source, format: "mpegts")
        case .hlsFMP4: return try LibavDemuxer(source: source, format: "mov")
        case .rtmp: throw .unsupported("RTMP cannot be reopened on a byte source")
        }
    }

    static func looksLikePlaylist(_ url: String) -> Bool {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        return path.lowercased().hasSuffix(".m3u8") || path.lowercased().hasSuffix(".m3u")
    }

    enum Sniffed: Equatable { case flv, mpegts, playlist, unknown(String) }

    static func sniff(_ head: [UInt8], contentType: String?) -> Sniffed {
        if head.isEmpty { return .unknown("the server answered with an empty body") }
        if head.starts(with: Array("FLV".utf8)) { return .flv }
        if head.count >= 1 && head[0] == 0x47 && (head.count < 189 || head[188] == 0x47) { return .mpegts }
        let text = String(decoding: head.prefix(64), as: UTF8.self)
        let trimmed = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        if trimmed.hasPrefix("#EXTM3U") { return .playlist }
        let lower = trimmed.lowercased()
        // What came is described, never quoted (see `ResponseSummary`).
        let summary = ResponseSummary.describe(contentType: contentType, bytes: head.count)
        if lower.hasPrefix("<!doctype html") || lower.hasPrefix("<html") || (contentType ?? "").contains("text/html") {
            return .unknown("the server sent an HTML page (\(summary))")
        }
        if head.prefix(64).allSatisfy({ $0 == 0 }) { return .unknown("the server sends only zero bytes") }
        return .unknown("unrecognised data, neither FLV, MPEG-TS nor an HLS playlist (\(summary))")
    }
}
