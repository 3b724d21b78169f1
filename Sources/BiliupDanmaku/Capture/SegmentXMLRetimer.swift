import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Moves every time in a finished segment XML by the same amount, for a segment whose first frame was
/// placed on the chat's clock better by its end than at its opening. A recorder that starts on a busy
/// machine can trail the live edge for its whole first second or more; the opening's estimate of when
/// the first frame was due is then late by as much, and every message of that segment early.
///
/// Rewrites only what `DanmakuXMLWriter` writes: chat times (the first field of `p`), the times in its
/// gap and drop comments, and the header comment (segment start and offset), followed by a comment that
/// says by how much the file was moved. Streams the file, since a flood's XML is large, into a new file
/// created beside it that then replaces it.
enum SegmentXMLRetimer {
    private static let chunkSize = 1 << 20
    private static let chatPrefix = Array("\t<d p=\"".utf8)
    private static let headerPrefix = Array("\t<!-- room: ".utf8)
    private static let commentPrefix = Array("\t<!-- ".utf8)
    /// The writer's comments that carry a time: a chat gap and a drop note.
    private static let timedComment = try! NSRegularExpression(pattern: #"^(\t<!-- (?:chat lost from |\d+ messages dropped here \())(\d+\.\d{3})( s)"#)

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Adds `shift` seconds to every time in the document at `path` (never below 0) and gives it
    /// `header`. On failure the file is left as it was.
    static func retime(path: String, by shift: Double, header: DanmakuXMLWriter.Header) throws(Failure) {
        guard let input = FileHandle(forReadingAtPath: path) else {
            throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { try? input.close() }
        let temporary = path + ".retime"
        let fd = open(temporary, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let output = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            let out = XMLOutputBuffer()
            var pending: [UInt8] = []
            while true {
                let chunk = try input.read(upToCount: chunkSize) ?? Data()
                pending.append(contentsOf: chunk)
                var lineStart = 0
                while let newline = pending[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
                    rewrite(pending[lineStart...newline], by: shift, header: header, into: out)
                    lineStart = newline + 1
                }
                pending.removeFirst(lineStart)
                if out.count >= chunkSize {
                    try output.write(contentsOf: out.bytes)
                    out.removeAll()
                }
                if chunk.isEmpty { break }
            }
            if !pending.isEmpty { rewrite(pending[...], by: shift, header: header, into: out) }
            try output.write(contentsOf: out.bytes)
            try output.synchronize()
            try output.close()
        } catch {
            unlink(temporary)
            throw Failure(description: "cannot re-time \(path): \(error)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(description: "cannot replace \(path): \(reason)")
        }
    }

    /// One line, its newline included.
    private static func rewrite(_ line: ArraySlice<UInt8>, by shift: Double, header: DanmakuXMLWriter.Header,
                                into out: XMLOutputBuffer) {
        if line.starts(with: chatPrefix) {
            let timeStart = line.startIndex + chatPrefix.count
            if let comma = line[timeStart...].firstIndex(of: UInt8(ascii: ",")),
               let time = Double(String(decoding: line[timeStart..<comma], as: UTF8.self)) {
                line[line.startIndex..<timeStart].withUnsafeBytes { out.append($0) }
                out.appendThousandths(time + shift)
                line[comma...].withUnsafeBytes { out.append($0) }
                return
            }
        } else if line.starts(with: headerPrefix) {
            out.append(DanmakuXMLWriter.headerLine(header))
            out.append("\t<!-- times moved by \(String(format: "%+.3f", shift)) s when the segment ended: the stream's clock "
                       + "was measured better by then than when the segment opened -->\n")
            return
        } else if line.starts(with: commentPrefix) {
            let text = String(decoding: line, as: UTF8.self)
            let whole = NSRange(text.startIndex..., in: text)
            if let match = timedComment.firstMatch(in: text, range: whole),
               let timeRange = Range(match.range(at: 2), in: text), let time = Double(text[timeRange]) {
                out.append(String(text[..<timeRange.lowerBound]) + String(format: "%.3f", max(0, time + shift))
                           + String(text[timeRange.upperBound...]))
                return
            }
        }
        line.withUnsafeBytes { out.append($0) }
    }
}
