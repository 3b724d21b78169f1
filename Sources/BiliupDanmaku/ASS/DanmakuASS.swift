import Foundation

/// Why a danmaku file could not be turned into subtitles. Descriptions name the file.
public enum DanmakuASSError: Error, Equatable, Sendable, CustomStringConvertible {
    case badOptions(String)
    case unreadable(path: String, reason: String)
    case malformed(path: String, DanmakuXMLError)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .badOptions(let problem): problem
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .malformed(let path, let error): "\(path): \(error)"
        case .unwritable(let path, let reason): "\(path): cannot write: \(reason)"
        }
    }
}

/// Danmaku XML to ASS subtitles (what danmaku2ass and DanmakuFactory do): scrolling comments in lanes
/// where none overlaps another, top and bottom comments in lanes of their own, each in its colour with an
/// outline. Comments that find no lane in time are dropped and counted.
public enum DanmakuASS {
    /// `DIR/NAME.ass` for `DIR/NAME.xml` (any other name gets `.ass` appended).
    public static func assPath(forXML xmlPath: String) -> String {
        (xmlPath.hasSuffix(".xml") ? String(xmlPath.dropLast(4)) : xmlPath) + ".ass"
    }

    /// The ASS text for a document's comments; `source` names the XML in the header.
    public static func convert(_ document: DanmakuXMLReader.Document, options: Options = .init(),
                               source: String = "") throws(DanmakuASSError) -> (script: String, stats: Stats) {
        if let problem = options.problem { throw .badOptions(problem) }
        var layout = DanmakuLayout(options: options)
        var script = ASSScript(options: options, outline: layout.outline, source: source)
        var stats = Stats(skipped: document.unsupported)
        let blocked = options.blockKeywords.map { $0.lowercased() }.filter { !$0.isEmpty }
        // Bilibili's own files are ordered by comment id, not time; equal times keep file order.
        let ordered = document.comments.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
        for (_, comment) in ordered {
            let text = ASSScript.escaped(comment.text)
            if text.allSatisfy(\.isWhitespace) {
                stats.skipped += 1
                continue
            }
            if !blocked.isEmpty {
                let lowered = comment.text.lowercased()
                if blocked.contains(where: lowered.contains) {
                    stats.blocked += 1
                    continue
                }
            }
            let time = Int((comment.time * 100).rounded())
            guard let placement = layout.place(text: text, position: comment.position, size: comment.size, time: time) else {
                stats.dropped += 1
                continue
            }
            script.add(placement, text: text, color: comment.color)
            stats.written += 1
        }
        return (script.text, stats)
    }

    /// Reads `xmlPath` and writes `assPath` atomically (a temporary file in the same directory, renamed),
    /// so a reader never sees half a file and a failed run leaves any earlier file as it was.
    @discardableResult
    public static func convertFile(xmlPath: String, assPath: String, options: Options = .init()) throws(DanmakuASSError) -> Stats {
        if let problem = options.problem { throw .badOptions(problem) }
        let document: DanmakuXMLReader.Document
        do {
            document = try DanmakuXMLReader.read(contentsOf: xmlPath)
        } catch let error as DanmakuXMLError {
            throw .malformed(path: xmlPath, error)
        } catch {
            throw .unreadable(path: xmlPath, reason: Self.reason(error))
        }
        let (script, stats) = try convert(document, options: options, source: URL(fileURLWithPath: xmlPath).lastPathComponent)
        try writeAtomically(Data(script.utf8), to: assPath)
        return stats
    }

    private static func writeAtomically(_ data: Data, to path: String) throws(DanmakuASSError) {
        let target = URL(fileURLWithPath: path)
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
        do {
            try data.write(to: temporary, options: .withoutOverwriting)
        } catch {
            throw .unwritable(path: path, reason: reason(error))
        }
        guard rename(temporary.path, target.path) == 0 else {
            let cause = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw .unwritable(path: path, reason: cause)
        }
    }

    /// The system's words for a file error, without Foundation's wrapping.
    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        if nsError.domain == NSCocoaErrorDomain {
            switch nsError.code {
            case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return String(cString: strerror(ENOENT))
            case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return String(cString: strerror(EACCES))
            default: break
            }
        }
        return nsError.localizedDescription
    }
}
