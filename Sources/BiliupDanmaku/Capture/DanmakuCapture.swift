import BiliupNet
import Foundation

/// A recording's chat, captured into one XML file per video segment (`NAME.xml` beside `NAME.ext`), timed
/// from each segment's first frame.
///
/// Three threads meet here and none waits for another's work: the chat connection `accept`s events (never
/// blocks: a full queue drops messages and counts them), the recording reports segments opening and
/// closing (`segmentClosing` blocks until that segment's file is complete, so the segment event names a
/// finished file), and a writer thread of the capture's own sorts messages into files and writes them.
public final class DanmakuCapture: @unchecked Sendable {
    public struct Settings: Sendable {
        /// The room as people know it, for the XML header.
        public var room: String
        /// The chat protocol's name (`bilibili`, `douyu`…), for the XML header.
        public var platform: String
        /// Gifts, super chats and guard purchases are written as `<s>` elements too.
        public var detail: Bool
        /// Messages waiting for the writer at most. 20,000 is a second of the heaviest floods measured
        /// (the benchmark's 20,000 messages/s), so a disk that stalls for a second loses nothing, while
        /// the queue stays a few megabytes.
        public var queueCapacity: Int
        /// How long a message is held before it goes into the current file, so that the next segment's
        /// opening, which reaches the capture after its first frame (buffering, then the cut), still gets
        /// the messages from its first frame on. Two seconds covers HTTP-FLV's buffering; the capture
        /// holds longer on its own when a source's measured lag is larger (HLS).
        public var holdback: Duration
        /// Called with each completed XML's path; returns the `.ass` written from it.
        public var assWriter: (@Sendable (String) throws -> String?)?

        public init(room: String, platform: String, detail: Bool = false, queueCapacity: Int = 20_000,
                    holdback: Duration = .seconds(2), assWriter: (@Sendable (String) throws -> String?)? = nil) {
            self.room = room
            self.platform = platform
            self.detail = detail
            self.queueCapacity = queueCapacity
            self.holdback = holdback
            self.assWriter = assWriter
        }
    }

    /// Held messages (waiting out the holdback or for a file) at most, as a multiple of the queue's
    /// capacity: three seconds of the heaviest flood.
    static let heldCapacityFactor = 3
    /// The writer thread's stack: it formats text and writes files, nothing deep.
    static let threadStackBytes = 256 << 10
    /// The writer wakes at least this often, whatever it expects.
    static let maxSleep: Double = 1

    private enum Command {
        case opened(videoPath: String, firstFrameAt: Date, arrivalLag: Double, programDateTime: Date?)
        case closing(videoPath: String, refinedStart: Date?, Reply<DanmakuSegmentSummary?>)
        case finish(Reply<Int>)
    }

    private let queue: BoundedChatQueue<Command>
    private let droppedTotal = DropCounter()

    public init(settings: Settings, onMessages: @escaping @Sendable ([DanmakuMessage]) -> Void = { _ in }) {
        queue = BoundedChatQueue(capacity: settings.queueCapacity)
        let writerSettings = DanmakuSegmentWriter.Settings(
            room: settings.room, platform: settings.platform, detail: settings.detail,
            holdback: Double(settings.holdback.components.seconds) + Double(settings.holdback.components.attoseconds) * 1e-18,
            heldCapacity: settings.queueCapacity * Self.heldCapacityFactor, assWriter: settings.assWriter)
        // The thread holds the queue and the writer, not the capture: dropping the capture closes the
        // queue and the thread completes the open files and ends.
        let thread = Thread { [queue] in
            ThreadName.setCurrent("biliup-danmaku")
            Self.run(queue: queue, writer: DanmakuSegmentWriter(settings: writerSettings), onMessages: onMessages)
        }
        thread.stackSize = Self.threadStackBytes
        thread.start()
    }

    deinit {
        queue.close()
    }

    /// Messages lost to a full queue so far.
    public var dropped: Int { droppedTotal.value }

    /// An event from the chat connection, on its thread. Never blocks.
    public func accept(_ event: ChatEvent) {
        let lost = queue.offer(event)
        if lost > 0 { droppedTotal.add(lost) }
    }

    /// The video `videoPath` opened; its first frame belongs to `firstFrameAt`, and arrived `arrivalLag`
    /// seconds after it; `programDateTime` is the origin's time of that frame, where the stream stamps it.
    public func segmentOpened(videoPath: String, firstFrameAt: Date, arrivalLag: Double, programDateTime: Date? = nil) {
        queue.push(.opened(videoPath: videoPath, firstFrameAt: firstFrameAt, arrivalLag: arrivalLag, programDateTime: programDateTime))
    }

    /// The video `videoPath` is being finished: returns once its XML is complete and renamed (and its ASS
    /// written). nil when no segment of that name opened, or after `finish`. `firstFrameAt`: the instant
    /// its first frame belongs to as measured now; the file's times move to it when it differs enough
    /// from the opening's estimate.
    public func segmentClosing(videoPath: String, firstFrameAt: Date? = nil) -> DanmakuSegmentSummary? {
        let reply = Reply<DanmakuSegmentSummary?>()
        guard queue.push(.closing(videoPath: videoPath, refinedStart: firstFrameAt, reply)) else { return nil }
        return reply.wait()
    }

    /// The recording ended: everything queued is sorted out, open files are completed, and the writer
    /// thread ends. Returns how many messages belonged to no segment (after the last one, or while none
    /// was open and the wait was too long); 0 when called again.
    @discardableResult
    public func finish() -> Int {
        let reply = Reply<Int>()
        guard queue.push(.finish(reply)) else { return 0 }
        return reply.wait()
    }

    // MARK: - The writer thread

    private static func run(queue: BoundedChatQueue<Command>, writer: DanmakuSegmentWriter,
                            onMessages: @Sendable ([DanmakuMessage]) -> Void) {
        var entries: [BoundedChatQueue<Command>.Entry] = []
        var finished = false
        while !finished {
            let now = Date.timeIntervalSinceReferenceDate
            let wake = min(writer.tick(now: now) ?? .infinity, now + maxSleep)
            let closed = queue.take(into: &entries, deadline: Date(timeIntervalSinceReferenceDate: wake))
            for entry in entries {
                switch entry {
                case .chat(.messages(let batch)):
                    onMessages(batch)
                    writer.add(batch)
                case .chat(.connected(let at)):
                    writer.connected(at: at)
                case .chat(.disconnected(let at, let reason)):
                    writer.disconnected(at: at, reason: reason)
                case .dropped(let count, let firstAt):
                    if !finished { writer.dropped(count, at: firstAt) }
                case .command(.opened(let path, let firstFrameAt, let lag, let stamped)):
                    writer.opened(videoPath: path, firstFrameAt: firstFrameAt, arrivalLag: lag, programDateTime: stamped,
                                  now: Date.timeIntervalSinceReferenceDate)
                case .command(.closing(let path, let refinedStart, let reply)):
                    reply.fulfil(finished ? nil : writer.closing(videoPath: path, refinedStart: refinedStart?.timeIntervalSinceReferenceDate,
                                                                 now: Date.timeIntervalSinceReferenceDate))
                case .command(.finish(let reply)):
                    if !finished { reply.fulfil(writer.finish(now: Date.timeIntervalSinceReferenceDate)) } else { reply.fulfil(0) }
                    finished = true
                }
            }
            entries.removeAll(keepingCapacity: true)
            if closed && !finished {
                // The capture was dropped without `finish`: complete the files all the same.
                _ = writer.finish(now: Date.timeIntervalSinceReferenceDate)
                finished = true
            }
        }
        queue.close()
        // Whoever pushed between the last take and the close still gets an answer.
        _ = queue.take(into: &entries, deadline: nil)
        for case .command(let command) in entries {
            switch command {
            case .opened: break
            case .closing(_, _, let reply): reply.fulfil(nil)
            case .finish(let reply): reply.fulfil(0)
            }
        }
    }
}

/// One answer from the writer thread to a caller that waits for it.
private final class Reply<Value>: @unchecked Sendable {
    private let ready = DispatchSemaphore(value: 0)
    private var value: Value?

    func fulfil(_ v: Value) {
        value = v
        ready.signal()
    }

    func wait() -> Value {
        ready.wait()
        return value!
    }
}

private final class DropCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0

    var value: Int { lock.withLock { total } }
    func add(_ n: Int) { lock.withLock { total += n } }
}
