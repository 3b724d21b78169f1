import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One segment's chat file. For the video `DIR/NAME.ext` it is written as `DIR/NAME.xml.part` (created
/// exclusively, so nothing is overwritten) and renamed to `DIR/NAME.xml` once complete; a crash leaves
/// the `.part` with everything flushed so far. A file that cannot be made or written does not stop the
/// capture: the messages meant for it are counted as dropped and the error is reported.
final class SegmentXMLFile {
    /// Flush cadence: what a crash can lose, against a write per message in a flood.
    static let flushInterval: Double = 1
    static let flushMessages = 500
    static let partSuffix = ".part"
    /// A better estimate of the segment's start at its end moves the file's times when it differs by at
    /// least this (`SegmentXMLRetimer`); below it, the rewrite is not worth its cost.
    static let retimeThreshold: Double = 0.05

    let videoPath: String
    let xmlPath: String
    /// The segment's first frame, seconds since the reference date on the chat's clock.
    let start: Double
    private(set) var arrivalLag: Double
    /// As last written: re-timing moves its start.
    private var header: DanmakuXMLWriter.Header
    /// Gifts, super chats and guard purchases are written too.
    let detail: Bool
    private var writer: DanmakuXMLWriter?
    private var handle: FileHandle?
    private(set) var messages = 0
    private(set) var dropped = 0
    private(set) var gaps: [DanmakuSegmentSummary.Gap] = []
    private(set) var errors: [String] = []
    private var unflushed = 0
    private var lastFlush: Double

    var partPath: String { xmlPath + Self.partSuffix }

    static func xmlPath(forVideo videoPath: String) -> String {
        (videoPath as NSString).deletingPathExtension + ".xml"
    }

    init(videoPath: String, header: DanmakuXMLWriter.Header, detail: Bool, now: Double) {
        self.videoPath = videoPath
        xmlPath = Self.xmlPath(forVideo: videoPath)
        start = header.segmentStart.timeIntervalSinceReferenceDate
        arrivalLag = header.offset
        self.header = header
        self.detail = detail
        lastFlush = now
        let fd = open(xmlPath + Self.partSuffix, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            errors.append("cannot create \(partPath): \(String(cString: strerror(errno)))")
            return
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        self.handle = handle
        do {
            writer = try DanmakuXMLWriter(handle: handle, header: header, detail: detail)
        } catch {
            errors.append("cannot write \(partPath): \(error)")
        }
    }

    /// Seconds into the segment of an instant on the chat's clock.
    func secondsIn(_ time: Double) -> Double { max(0, time - start) }

    func write(_ message: DanmakuMessage) {
        guard let writer else {
            if message.kind == .chat || detail { dropped += 1 }
            return
        }
        if writer.write(message) {
            messages += 1
            unflushed += 1
            if unflushed >= Self.flushMessages { flush(now: Date.timeIntervalSinceReferenceDate) }
        }
    }

    func noteDropped(_ count: Int, at time: Double) {
        dropped += count
        writer?.comment("\(count) messages dropped here (\(String(format: "%.3f", secondsIn(time))) s): the chat queue was full")
    }

    func noteGap(from: Double, to: Double, reason: String) {
        let at = secondsIn(from)
        let seconds = max(0, to - max(from, start))
        gaps.append(.init(at: at, seconds: seconds, reason: reason))
        writer?.comment("chat lost from \(String(format: "%.3f", at)) s for \(String(format: "%.3f", seconds)) s: \(reason)")
    }

    /// When the next flush is due, if anything waits for one.
    var flushDue: Double? { unflushed > 0 && writer != nil ? lastFlush + Self.flushInterval : nil }

    func flush(now: Double) {
        lastFlush = now
        guard let writer, unflushed > 0 else { return }
        do {
            try writer.flush()
            unflushed = 0
        } catch {
            fail("cannot write \(partPath): \(error)")
        }
    }

    /// Completes the document and renames it; returns what it holds. `refinedStart`: the segment's first
    /// frame on the chat's clock as measured by now, when there is such a measure.
    func finish(assWriter: (@Sendable (String) throws -> String?)?, refinedStart: Double? = nil) -> DanmakuSegmentSummary {
        var complete = false
        if let writer {
            writer.comment("end of segment: \(messages) messages, \(dropped) dropped, \(gaps.count) gaps")
            do {
                try writer.finish()
                unflushed = 0
                complete = true
            } catch {
                fail("cannot write \(partPath): \(error)")
            }
        }
        try? handle?.close()
        handle = nil
        writer = nil
        if complete, let refinedStart, abs(refinedStart - start) >= Self.retimeThreshold { retime(to: refinedStart) }
        if complete { complete = renameNoReplace() }
        var summary = DanmakuSegmentSummary(xmlPath: xmlPath, messages: messages, dropped: dropped,
                                            offset: arrivalLag, programDateTime: header.programDateTime, latency: header.latency,
                                            gaps: gaps, errors: errors)
        if complete, let assWriter {
            do { summary.assPath = try assWriter(xmlPath) } catch { summary.errors.append("ASS for \(xmlPath): \(error)") }
        }
        return summary
    }

    /// Moves the finished `.part`'s times to count from `refinedStart`; a failure leaves them as they were
    /// (a complete file, timed by the first estimate) and is reported.
    private func retime(to refinedStart: Double) {
        let shift = start - refinedStart
        var refined = header
        refined.segmentStart = Date(timeIntervalSinceReferenceDate: refinedStart)
        refined.offset = max(0, arrivalLag + shift)
        do {
            try SegmentXMLRetimer.retime(path: partPath, by: shift, header: refined)
        } catch {
            errors.append(error.description)
            return
        }
        arrivalLag = refined.offset
        header = refined
        gaps = gaps.map { .init(at: max(0, $0.at + shift), seconds: $0.seconds, reason: $0.reason) }
    }

    /// A write failed: what was buffered is lost, and so is everything after.
    private func fail(_ error: String) {
        errors.append(error)
        messages -= unflushed
        dropped += unflushed
        unflushed = 0
        writer = nil
    }

    /// `.part` → final name, never over an existing file. A hard link refuses an existing target;
    /// where the file system has no hard links, a check then a rename.
    private func renameNoReplace() -> Bool {
        if link(partPath, xmlPath) == 0 {
            unlink(partPath)
            return true
        }
        let failure = errno
        if failure != EEXIST && access(xmlPath, F_OK) != 0 && rename(partPath, xmlPath) == 0 { return true }
        errors.append(failure == EEXIST
            ? "\(xmlPath) exists and is left as it is; this segment's chat stays in \(partPath)"
            : "cannot rename \(partPath): \(String(cString: strerror(failure)))")
        return false
    }
}
