import Foundation

/// Checks the danmaku XML files of one recording against the stream times their messages were stamped
/// with (acceptance 2): every stamped message in exactly one file, in the file whose part of the stream
/// it belongs to, at the right time.
///
/// The stand-in stamps each message with the live source's program time when it sent it (`"12.345 #7"`,
/// `ChatScript.text`). Segment k starts at program time S_k: S_0 = 0 (the recorder is the source's
/// first client, so its first frame is program time 0), and S_k is S_(k-1) plus segment k-1's duration
/// from its report, snapped to the source's keyframe grid (cuts happen only at keyframes). A message
/// stamped s in segment k belongs at max(0, s − S_k) seconds into that file.
public struct DanmakuAlignment {
    public struct Entry: Equatable {
        public var time: Double
        public var text: String
    }

    public struct Segment {
        public var video: URL
        public var xml: URL
        /// Program time of its first frame.
        public var start: Double
        public var duration: Double
        public var entries: [Entry]
    }

    public let segments: [Segment]

    /// `videos` of one recording in recording order, each with `NAME.xml` and the report `NAME.ext.json`
    /// beside it. `keyframeInterval`: the source's GOP in seconds (`TestMedia`'s is 2).
    public init(videos: [URL], keyframeInterval: Double = 2) throws {
        var segments: [Segment] = []
        var start = 0.0
        for video in videos {
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: video.path + ".json"))) as? [String: Any]
            guard let duration = (report?["duration"] as? NSNumber)?.doubleValue else {
                throw DanmakuAlignmentError("\(video.lastPathComponent).json has no duration")
            }
            let xml = video.deletingPathExtension().appendingPathExtension("xml")
            let entries = try Self.entries(in: String(contentsOf: xml, encoding: .utf8))
            segments.append(Segment(video: video, xml: xml, start: start, duration: duration, entries: entries))
            start = ((start + duration) / keyframeInterval).rounded() * keyframeInterval
        }
        self.segments = segments
    }

    /// Problems found, empty when every message with an index below `sent` is in exactly one file, in
    /// the right one (a message stamped within `tolerance` of a cut may be on either side), and at its
    /// stamp's place within `tolerance` seconds.
    public func problems(sent: Int, tolerance: Double = 0.2) -> [String] {
        var problems: [String] = []
        var seen: [Int: Int] = [:]
        for (k, segment) in segments.enumerated() {
            let end = k + 1 < segments.count ? segments[k + 1].start : Double.infinity
            for entry in segment.entries {
                guard let (index, stamp) = Self.stamped(entry.text) else {
                    problems.append("\(segment.xml.lastPathComponent): unstamped message \"\(entry.text)\"")
                    continue
                }
                if let other = seen[index] { problems.append("message #\(index) in segment \(other) and again in segment \(k)") }
                seen[index] = k
                if stamp < segment.start - tolerance || stamp >= end + tolerance {
                    problems.append("message #\(index) stamped \(stamp) is in segment \(k) [\(segment.start), \(end))")
                }
                let expected = max(0, stamp - segment.start)
                if abs(entry.time - expected) > tolerance {
                    problems.append("message #\(index) at \(entry.time) s in segment \(k), expected \(expected) (stamp \(stamp), segment start \(segment.start))")
                }
            }
        }
        let missing = (0..<sent).filter { seen[$0] == nil }
        if !missing.isEmpty { problems.append("\(missing.count) message(s) in no file: \(missing.prefix(20))") }
        return problems
    }

    /// The script index of a message text (`"STAMP #INDEX"`).
    public static func index(of text: String) -> Int? { stamped(text)?.0 }

    /// (index, stamp) of a text `"STAMP #INDEX"`.
    static func stamped(_ text: String) -> (Int, Double)? {
        guard let hash = text.range(of: " #", options: .backwards), let index = Int(text[hash.upperBound...]),
              let stamp = Double(text[..<hash.lowerBound]) else { return nil }
        return (index, stamp)
    }

    /// The `<d p="TIME,...">TEXT</d>` elements of a danmaku XML, in order.
    public static func entries(in xml: String) throws -> [Entry] {
        var entries: [Entry] = []
        var rest = xml[...]
        while let open = rest.range(of: "<d p=\"") {
            guard let quote = rest[open.upperBound...].firstIndex(of: "\""),
                  let close = rest[quote...].range(of: "</d>"),
                  let gt = rest[quote...].firstIndex(of: ">") else { throw DanmakuAlignmentError("malformed <d> element") }
            let attributes = rest[open.upperBound..<quote].split(separator: ",")
            guard let time = attributes.first.flatMap({ Double($0) }) else { throw DanmakuAlignmentError("<d> without a time") }
            entries.append(Entry(time: time, text: unescape(String(rest[rest.index(after: gt)..<close.lowerBound]))))
            rest = rest[close.upperBound...]
        }
        return entries
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// A danmaku XML or segment report the alignment check cannot read.
public struct DanmakuAlignmentError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
