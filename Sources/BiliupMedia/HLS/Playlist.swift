import BiliupNet
import Foundation

/// An M3U8 playlist (RFC 8216): a master playlist listing variants, or a media playlist listing segments.
public enum Playlist: Sendable, Equatable {
    case master(MasterPlaylist)
    case media(MediaPlaylist)

    /// Parses `text`; relative URIs are resolved against `baseURL` (the URL the playlist came from,
    /// after redirects). Errors name the line, so a changed platform is diagnosed from the message.
    public static func parse(_ text: String, baseURL: String) throws(MediaError) -> Playlist {
        var parser = PlaylistParser(text: text, baseURL: baseURL)
        return try parser.parse()
    }
}

public struct MasterPlaylist: Sendable, Equatable {
    /// The variant streams (EXT-X-STREAM-INF), in playlist order; I-frame-only variants are left out.
    public var variants: [Variant]

    public init(variants: [Variant]) { self.variants = variants }

    /// What a recorder wants: the highest bandwidth among variants with a video RESOLUTION (an audio-only
    /// variant may declare more bandwidth than a small video one), else the highest bandwidth.
    public var best: Variant? {
        let video = variants.filter { $0.resolution != nil }
        let pool = video.isEmpty ? variants : video
        // First of the highest, so equal variants keep the playlist's own preference.
        return pool.reduce(nil) { best, v in best.map { v.bandwidth > $0.bandwidth ? v : $0 } ?? v }
    }
}

public struct Variant: Sendable, Equatable {
    /// Absolute URL of the variant's media playlist.
    public var uri: String
    /// Peak bits per second (BANDWIDTH); 0 when the playlist leaves it out.
    public var bandwidth: Int
    public var averageBandwidth: Int?
    public var resolution: Resolution?
    public var codecs: String?
    public var frameRate: Double?

    public init(uri: String, bandwidth: Int, averageBandwidth: Int? = nil, resolution: Resolution? = nil,
                codecs: String? = nil, frameRate: Double? = nil) {
        self.uri = uri
        self.bandwidth = bandwidth
        self.averageBandwidth = averageBandwidth
        self.resolution = resolution
        self.codecs = codecs
        self.frameRate = frameRate
    }
}

public struct Resolution: Sendable, Equatable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) { self.width = width; self.height = height }
    public var description: String { "\(width)x\(height)" }
}

public enum PlaylistType: String, Sendable, Equatable {
    case vod = "VOD"
    case event = "EVENT"
}

public struct MediaPlaylist: Sendable, Equatable {
    /// EXT-X-TARGETDURATION in seconds: the upper bound of segment durations, and the reload pace.
    public var targetDuration: Double
    /// Sequence number of the first segment listed (EXT-X-MEDIA-SEQUENCE, default 0).
    public var mediaSequence: Int
    public var discontinuitySequence: Int
    /// EXT-X-ENDLIST: no segments will be added.
    public var endList: Bool
    public var playlistType: PlaylistType?
    public var segments: [MediaSegment]

    /// The list is final: ENDLIST seen, or a VOD playlist (which never changes).
    public var isComplete: Bool { endList || playlistType == .vod }

    /// Sequence number of the last segment listed, or `mediaSequence - 1` when there is none.
    public var lastSequence: Int { segments.last?.sequence ?? mediaSequence - 1 }
}

/// A byte sub-range of a resource (EXT-X-BYTERANGE, or BYTERANGE of EXT-X-MAP).
public struct ByteRange: Sendable, Hashable, CustomStringConvertible {
    public var offset: Int
    public var length: Int
    public init(offset: Int, length: Int) { self.offset = offset; self.length = length }
    /// The value of an HTTP `Range` header asking for exactly these bytes.
    public var httpRange: String { "bytes=\(offset)-\(offset + length - 1)" }
    public var description: String { "\(length)@\(offset)" }
}

/// The initialization section of fMP4 segments (EXT-X-MAP): the `ftyp`+`moov` a demuxer needs first.
public struct InitSection: Sendable, Hashable {
    public var uri: String
    public var byteRange: ByteRange?
    public init(uri: String, byteRange: ByteRange? = nil) { self.uri = uri; self.byteRange = byteRange }
}

public struct MediaSegment: Sendable, Equatable {
    /// Media sequence number: EXT-X-MEDIA-SEQUENCE plus the segment's index in the playlist.
    public var sequence: Int
    /// Absolute URL.
    public var uri: String
    /// EXTINF duration in seconds.
    public var duration: Double
    /// EXTINF title (after the comma), nil when empty.
    public var title: String?
    /// An EXT-X-DISCONTINUITY tag precedes this segment: timestamps, codecs or encoding may change here.
    public var discontinuity: Bool
    /// EXT-X-DISCONTINUITY-SEQUENCE plus the discontinuities before this segment in the playlist.
    public var discontinuityNumber: Int
    /// The EXT-X-MAP in effect for this segment, if any.
    public var map: InitSection?
    public var byteRange: ByteRange?
    /// EXT-X-PROGRAM-DATE-TIME given for this segment (not extrapolated from earlier ones).
    public var programDateTime: Date?
    /// EXT-X-GAP: the server says this segment is missing; it is not fetched.
    public var isGap: Bool

    public init(sequence: Int, uri: String, duration: Double, title: String? = nil, discontinuity: Bool = false,
                discontinuityNumber: Int = 0, map: InitSection? = nil, byteRange: ByteRange? = nil,
                programDateTime: Date? = nil, isGap: Bool = false) {
        self.sequence = sequence
        self.uri = uri
        self.duration = duration
        self.title = title
        self.discontinuity = discontinuity
        self.discontinuityNumber = discontinuityNumber
        self.map = map
        self.byteRange = byteRange
        self.programDateTime = programDateTime
        self.isGap = isGap
    }
}

// MARK: - Parser

struct PlaylistParser {
    let text: String
    let baseURL: String

    /// How much of a refused URI an error quotes: enough to recognise it, not a whole payload.
    static let quotedURICharacters = 200

    private var lineNumber = 0

    init(text: String, baseURL: String) {
        self.text = text
        self.baseURL = baseURL
    }

    private func error(_ message: String) -> MediaError {
        .invalidPlaylist("line \(lineNumber): \(message)")
    }

    mutating func parse() throws(MediaError) -> Playlist {
        var body = Substring(text)
        if body.first == "\u{FEFF}" { body = body.dropFirst() }
        // Lines split on \n, \r\n and \r alike (Swift treats \r\n as one Character).
        let lines = body.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline })
        guard let firstIndex = lines.firstIndex(where: { !$0.allSatisfy(\.isWhitespace) }),
              lines[firstIndex].trimmingCharacters(in: .whitespaces).hasPrefix("#EXTM3U")
        else {
            // The body is not quoted: it may be another service's answer (see `ResponseSummary`).
            if body.allSatisfy(\.isWhitespace) { throw .invalidPlaylist("not an M3U8 playlist (the body is empty)") }
            throw .invalidPlaylist("not an M3U8 playlist (\(text.utf8.count) bytes without #EXTM3U)")
        }
        let isMaster = lines.contains { $0.hasPrefix("#EXT-X-STREAM-INF") }
        let rest = lines[(firstIndex + 1)...]
        let firstLine = firstIndex + 1
        return isMaster ? .master(try parseMaster(rest, firstLine: firstLine + 1))
                        : .media(try parseMedia(rest, firstLine: firstLine + 1))
    }

    // MARK: master

    private mutating func parseMaster(_ lines: ArraySlice<Substring>, firstLine: Int) throws(MediaError) -> MasterPlaylist {
        var variants: [Variant] = []
        var pending: (variant: Variant, line: Int)?
        for (i, raw) in lines.enumerated() {
            lineNumber = firstLine + i
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                guard let (name, value) = PlaylistParser.tag(line) else { continue }
                try checkURIAttribute(of: line, tag: name)
                if name == "EXT-X-STREAM-INF" {
                    if let p = pending { lineNumber = p.line; throw error("EXT-X-STREAM-INF without a URI line") }
                    pending = (try variant(value ?? ""), lineNumber)
                }
                continue  // EXT-X-I-FRAME-STREAM-INF (not playable as a stream), EXT-X-MEDIA, others
            }
            guard var p = pending else { continue }  // a URI not announced by STREAM-INF: ignored
            p.variant.uri = try fetchableURI(line, "variant stream URI")
            variants.append(p.variant)
            pending = nil
        }
        if let p = pending { lineNumber = p.line; throw error("EXT-X-STREAM-INF without a URI line") }
        return MasterPlaylist(variants: variants)
    }

    private func variant(_ value: String) throws(MediaError) -> Variant {
        let attrs = try attributes(value, tag: "EXT-X-STREAM-INF")
        var v = Variant(uri: "", bandwidth: 0)
        if let b = attrs["BANDWIDTH"] { v.bandwidth = try integer(b, "EXT-X-STREAM-INF: BANDWIDTH") }
        if let b = attrs["AVERAGE-BANDWIDTH"] { v.averageBandwidth = try integer(b, "EXT-X-STREAM-INF: AVERAGE-BANDWIDTH") }
        if let r = attrs["RESOLUTION"] {
            let parts = r.lowercased().split(separator: "x")
            guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0 else {
                throw error("EXT-X-STREAM-INF: RESOLUTION \"\(r)\" is not WIDTHxHEIGHT")
            }
            v.resolution = Resolution(width: w, height: h)
        }
        v.codecs = attrs["CODECS"]
        if let f = attrs["FRAME-RATE"] { v.frameRate = try number(f, "EXT-X-STREAM-INF: FRAME-RATE") }
        return v
    }

    // MARK: media

    private mutating func parseMedia(_ lines: ArraySlice<Substring>, firstLine: Int) throws(MediaError) -> MediaPlaylist {
        var targetDuration: Double?
        var mediaSequence = 0
        var discontinuitySequence = 0
        var endList = false
        var playlistType: PlaylistType?
        var segments: [MediaSegment] = []

        // State for the next segment.
        var extinf: (duration: Double, title: String?, line: Int)?
        var discontinuity = false
        var discontinuities = 0
        var range: ByteRange?
        var dateTime: Date?
        var gap = false
        var map: InitSection?
        // Where the previous segment's sub-range ended, for EXT-X-BYTERANGE without an offset.
        var previousRangeEnd: (uri: String, end: Int)?

        for (i, raw) in lines.enumerated() {
            lineNumber = firstLine + i
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if !line.hasPrefix("#") {
                guard let inf = extinf else { throw error("segment URI \"\(line.prefix(80))\" without #EXTINF") }
                let uri = try fetchableURI(line, "segment URI")
                if var r = range, r.offset < 0 {  // implicit offset: right after the previous sub-range
                    r.offset = previousRangeEnd?.uri == uri ? previousRangeEnd!.end : 0
                    range = r
                }
                segments.append(MediaSegment(
                    sequence: mediaSequence + segments.count, uri: uri, duration: inf.duration, title: inf.title,
                    discontinuity: discontinuity, discontinuityNumber: discontinuitySequence + discontinuities,
                    map: map, byteRange: range, programDateTime: dateTime, isGap: gap))
                previousRangeEnd = range.map { (uri, $0.offset + $0.length) }
                extinf = nil; discontinuity = false; range = nil; dateTime = nil; gap = false
                continue
            }
            guard let (name, value) = PlaylistParser.tag(line) else { continue }  // a comment
            let v = value ?? ""
            switch name {
            case "EXTINF":
                if let inf = extinf { lineNumber = inf.line; throw error("#EXTINF without a segment URI") }
                let comma = v.firstIndex(of: ",")
                let durationText = String(v[..<(comma ?? v.endIndex)]).trimmingCharacters(in: .whitespaces)
                let duration = try number(durationText, "EXTINF")
                let title = comma.map { String(v[v.index(after: $0)...]).trimmingCharacters(in: .whitespaces) }
                extinf = (duration, title?.isEmpty == false ? title : nil, lineNumber)
            case "EXT-X-TARGETDURATION":
                targetDuration = try number(v, "EXT-X-TARGETDURATION")
            case "EXT-X-MEDIA-SEQUENCE":
                guard segments.isEmpty else { throw error("EXT-X-MEDIA-SEQUENCE after the first segment") }
                mediaSequence = try integer(v, "EXT-X-MEDIA-SEQUENCE")
            case "EXT-X-DISCONTINUITY-SEQUENCE":
                discontinuitySequence = try integer(v, "EXT-X-DISCONTINUITY-SEQUENCE")
            case "EXT-X-DISCONTINUITY":
                discontinuity = true
                discontinuities += 1
            case "EXT-X-ENDLIST":
                endList = true
            case "EXT-X-PLAYLIST-TYPE":
                guard let t = PlaylistType(rawValue: v.trimmingCharacters(in: .whitespaces).uppercased()) else {
                    throw error("EXT-X-PLAYLIST-TYPE: \"\(v)\" is not VOD or EVENT")
                }
                playlistType = t
            case "EXT-X-BYTERANGE":
                range = try byteRange(v, "EXT-X-BYTERANGE", implicitOffset: -1)
            case "EXT-X-PROGRAM-DATE-TIME":
                // Informational only: a date we cannot read must not stop a recording.
                dateTime = ISO8601Time.parse(v.trimmingCharacters(in: .whitespaces))
            case "EXT-X-GAP":
                gap = true
            case "EXT-X-MAP":
                let attrs = try attributes(v, tag: name)
                guard let uri = attrs["URI"], !uri.isEmpty else { throw error("EXT-X-MAP without URI") }
                var section = InitSection(uri: try fetchableURI(uri, "EXT-X-MAP URI"))
                if let r = attrs["BYTERANGE"] { section.byteRange = try byteRange(r, "EXT-X-MAP: BYTERANGE", implicitOffset: 0) }
                map = section
            case "EXT-X-KEY":
                let attrs = try attributes(v, tag: name)
                guard let method = attrs["METHOD"] else { throw error("EXT-X-KEY without METHOD") }
                if method.uppercased() != "NONE" { throw .unsupported("encrypted HLS (METHOD=\(method))") }
            default:
                break  // EXT-X-VERSION, EXT-X-TWITCH-*, EXT-X-DATERANGE, EXT-X-PART (LL-HLS), ...: not needed
            }
            // After the tag's own checks, so an encrypted stream says so rather than naming its key's scheme.
            try checkURIAttribute(of: line, tag: name)
        }
        if let inf = extinf { lineNumber = inf.line; throw error("#EXTINF without a segment URI") }
        guard let targetDuration else { throw .invalidPlaylist("media playlist without EXT-X-TARGETDURATION") }
        return MediaPlaylist(targetDuration: targetDuration, mediaSequence: mediaSequence,
                             discontinuitySequence: discontinuitySequence, endList: endList,
                             playlistType: playlistType, segments: segments)
    }

    // MARK: URIs

    /// `reference` resolved against the playlist's URL, if it is http or https: a playlist names what
    /// biliup fetches next, and one from any server must not make it open file:, gopher:, dict:, ftp: ...
    /// URLs. A playlist that does is refused as a whole, with the line, rather than skipping the entry.
    private func fetchableURI(_ reference: String, _ what: String) throws(MediaError) -> String {
        let uri = PlaylistURL.resolve(reference, against: baseURL)
        guard HTTPRequest.hasAllowedScheme(uri) else {
            throw .network(.schemeNotAllowed("\(what) \"\(uri.prefix(PlaylistParser.quotedURICharacters))\" on line \(lineNumber) of \(baseURL)"))
        }
        return uri
    }

    /// Checks the URI attribute of any tag that has one (EXT-X-MEDIA renditions, EXT-X-KEY, EXT-X-PART,
    /// EXT-X-I-FRAME-STREAM-INF, ...), also of those biliup does not fetch today, so that fetching one
    /// later cannot bring the problem back.
    private func checkURIAttribute(of line: String, tag: String) throws(MediaError) {
        guard let start = line.range(of: "URI=\"") else { return }
        let rest = line[start.upperBound...]
        let value = rest.prefix { $0 != "\"" }
        _ = try fetchableURI(String(value), "\(tag) URI")
    }

    // MARK: values

    /// `#NAME:value` → (NAME, value); `#NAME` → (NAME, nil); nil for comments (`#` not followed by EXT).
    static func tag(_ line: String) -> (String, String?)? {
        guard line.hasPrefix("#EXT") else { return nil }
        let body = line.dropFirst()
        guard let colon = body.firstIndex(of: ":") else { return (String(body), nil) }
        return (String(body[..<colon]), String(body[body.index(after: colon)...]))
    }

    private func number(_ text: String, _ what: String) throws(MediaError) -> Double {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let d = Double(t), d.isFinite, d >= 0 else { throw error("\(what): \"\(t)\" is not a number") }
        return d
    }

    private func integer(_ text: String, _ what: String) throws(MediaError) -> Int {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let n = Int(t), n >= 0 else { throw error("\(what): \"\(t)\" is not a number") }
        return n
    }

    /// `length[@offset]`; a missing offset becomes `implicitOffset` (the caller resolves -1).
    private func byteRange(_ text: String, _ what: String, implicitOffset: Int) throws(MediaError) -> ByteRange {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count <= 2, let length = Int(parts[0]), length > 0,
              let offset = parts.count == 2 ? Int(parts[1]) : implicitOffset, parts.count == 1 || offset >= 0
        else { throw error("\(what): \"\(text)\" is not LENGTH[@OFFSET]") }
        return ByteRange(offset: offset, length: length)
    }

    /// An attribute list (`KEY=value,KEY="quoted, value"`). Names are upper-cased; quotes removed.
    private func attributes(_ text: String, tag: String) throws(MediaError) -> [String: String] {
        var result: [String: String] = [:]
        var i = text.startIndex
        while i < text.endIndex {
            while i < text.endIndex, text[i] == " " || text[i] == "," { i = text.index(after: i) }
            guard i < text.endIndex else { break }
            guard let eq = text[i...].firstIndex(of: "=") else {
                throw error("\(tag): attribute \"\(text[i...].prefix(40))\" has no value")
            }
            let name = text[i..<eq].trimmingCharacters(in: .whitespaces).uppercased()
            i = text.index(after: eq)
            while i < text.endIndex, text[i] == " " { i = text.index(after: i) }
            if i < text.endIndex, text[i] == "\"" {
                let start = text.index(after: i)
                guard let close = text[start...].firstIndex(of: "\"") else {
                    throw error("\(tag): \(name) has an unterminated quoted string")
                }
                result[name] = String(text[start..<close])
                i = text.index(after: close)
            } else {
                let end = text[i...].firstIndex(of: ",") ?? text.endIndex
                result[name] = text[i..<end].trimmingCharacters(in: .whitespaces)
                i = end
            }
        }
        return result
    }
}

/// Parses the ISO 8601 / RFC 3339 date-times of EXT-X-PROGRAM-DATE-TIME without a (non-Sendable) formatter.
enum ISO8601Time {
    /// `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM|±HHMM|±HH]`; a missing zone means UTC.
    static func parse(_ s: String) -> Date? {
        let c = Array(s.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= c.count else { return nil }
            var v = 0
            for k in 0..<n {
                let d = Int(c[i + k]) - 48
                guard (0...9).contains(d) else { return nil }
                v = v * 10 + d
            }
            i += n
            return v
        }
        func expect(_ ch: UInt8) -> Bool {
            guard i < c.count, c[i] == ch else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2),
              i < c.count, c[i] == 0x54 || c[i] == 0x74 || c[i] == 0x20 else { return nil }
        i += 1
        guard let hour = digits(2), expect(0x3A), let minute = digits(2), expect(0x3A), let second = digits(2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var fraction = 0.0
        if i < c.count, c[i] == 0x2E || c[i] == 0x2C {
            i += 1
            var scale = 0.1
            let start = i
            while i < c.count, (48...57).contains(c[i]) { fraction += Double(c[i] - 48) * scale; scale /= 10; i += 1 }
            if i == start { return nil }
        }
        var offsetSeconds = 0
        if i < c.count {
            if c[i] == 0x5A || c[i] == 0x7A {
                i += 1
            } else if c[i] == 0x2B || c[i] == 0x2D {
                let sign = c[i] == 0x2D ? -1 : 1
                i += 1
                guard let oh = digits(2) else { return nil }
                var om = 0
                if i < c.count {
                    _ = expect(0x3A)
                    guard let m = digits(2) else { return nil }
                    om = m
                }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        guard i == c.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Double(days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
