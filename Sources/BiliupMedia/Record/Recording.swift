import BiliupNet
import Foundation

/// One stream recorded into segment files on its own thread: open the input, pass its packets through
/// the repair rules into the segmenter, reconnect after drops, until the stream ends, the duration is
/// reached, or `stop()`. Blocking demux stays off Swift's cooperative pool.
public final class Recording: @unchecked Sendable {
    public let options: RecordingOptions
    private let onEvent: @Sendable (RecordingEvent) -> Void
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var snapshot = RecordingStatus()
    private var result: RecordingOutcome?
    private var stopRequested = false
    private var activeSource: ByteSource?
    private let interrupt = InterruptFlag()
    private var notes: [SourceNote] = []

    /// Thread stack for demux and mux: libavformat needs little, and hundreds of recordings share memory.
    static let threadStackBytes = 512 << 10

    public init(options: RecordingOptions, onEvent: @escaping @Sendable (RecordingEvent) -> Void = { _ in }) {
        self.options = options
        self.onEvent = onEvent
        LibavLogging.configured
    }

    /// Starts recording on a thread of its own. `onEnd` runs on that thread with the outcome, once every
    /// file is finished: whoever follows the recording needs no thread of its own to wait for it.
    public func start(onEnd: @escaping @Sendable (RecordingOutcome) -> Void = { _ in }) {
        let thread = Thread { [self] in
            ThreadName.setCurrent("biliup-rec")  // set inside: see CurlLoop
            let outcome = run()
            lock.lock()
            result = outcome
            if case .failed(let e) = outcome { snapshot.state = .failed; snapshot.lastError = e.description }
            else { snapshot.state = .finished }
            lock.unlock()
            done.signal()
            onEnd(outcome)
        }
        thread.stackSize = Recording.threadStackBytes
        thread.start()
    }

    /// Ends the recording: the open file is finished and renamed, then `wait` returns.
    public func stop() {
        lock.lock()
        stopRequested = true
        let source = activeSource
        lock.unlock()
        interrupt.set()
        source?.cancel()
    }

    /// Blocks until the recording has ended.
    public func wait() -> RecordingOutcome {
        wait(timeout: nil)!
    }

    /// Blocks until the recording has ended or `timeout` passed (then nil).
    public func wait(timeout: Duration?) -> RecordingOutcome? {
        if let timeout {
            guard done.wait(timeout: .now() + timeout.seconds) == .success else { return nil }
        } else {
            done.wait()
        }
        done.signal()  // later waiters pass straight through
        lock.lock()
        defer { lock.unlock() }
        return result
    }

    public var status: RecordingStatus {
        lock.lock()
        defer { lock.unlock() }
        var s = snapshot
        s.receivedBytes += activeSource?.receivedBytes ?? 0
        return s
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopRequested
    }

    private func update(_ change: (inout RecordingStatus) -> Void) {
        lock.lock()
        change(&snapshot)
        lock.unlock()
    }

    private func setSource(_ s: ByteSource?) {
        lock.lock()
        if let old = activeSource { snapshot.receivedBytes += old.receivedBytes }
        activeSource = s
        let stopping = stopRequested
        lock.unlock()
        if stopping { s?.cancel() }
    }

    private func takeNotes() -> [SourceNote] {
        lock.lock()
        defer { lock.unlock() }
        let n = notes
        notes.removeAll()
        return n
    }

    // MARK: - The recording loop (recording thread only)

    private func opener(for endpoint: StreamEndpoint) -> InputOpener {
        InputOpener(endpoint: endpoint, connectTimeout: options.connectTimeout,
                    readTimeout: options.stallTimeout) { [weak self] note in
            guard let self else { return }
            self.lock.lock()
            self.notes.append(note)
            self.lock.unlock()
        }
    }

    private func run() -> RecordingOutcome {
        var opener = opener(for: options.endpoint)
        var pipeline: PacketPipeline?
        var failedAttempts = 0
        var reconnectReason: String?
        var endReason = "stream ended"
        var outcome: RecordingOutcome?
        var everOpened = false

        attempts: while outcome == nil && !isStopping {
            let input: OpenedInput
            do {
                if everOpened, let refresh = options.refreshEndpoint {
                    guard let endpoint = try refresh() else {
                        endReason = "stream ended (the room is offline)"
                        break
                    }
                    opener = self.opener(for: endpoint)
                }
                input = try opener.open(interrupt: interrupt) { setSource($0) }
            } catch {
                setSource(nil)
                if isStopping { break }
                let recorded = pipeline?.hasWritten ?? false
                if !everOpened {
                    // A URL that never worked is a wrong URL or an offline stream: say so at once.
                    outcome = .failed(error)
                    break
                }
                if recorded && Recording.meansStreamOver(error) {
                    endReason = "stream ended (\(error))"
                    break
                }
                failedAttempts += 1
                if !error.isRetryable && !recorded || failedAttempts > options.reconnect.maxAttempts {
                    if recorded { endReason = "stream ended (\(error))"; break }
                    outcome = .failed(error)
                    break
                }
                update { $0.state = .reconnecting; $0.lastError = error.description }
                pause(options.reconnect.delay(forAttempt: failedAttempts))
                continue
            }
            everOpened = true
            if pipeline == nil {
                let format = options.format ?? input.kind.defaultFormat
                pipeline = PacketPipeline(segmenter: makeSegmenter(format: format), maxDuration: options.maxDuration)
            }
            update { $0.state = .recording; $0.inputKind = input.kind }
            let ended = pump(input, into: pipeline!, reconnectReason: reconnectReason)
            setSource(nil)
            switch ended {
            case .finished(let reason):
                endReason = reason
                outcome = .completed(reason: reason)
            case .failed(let error):
                outcome = .failed(error)
            case .dropped(let reason, let gotNewFrames):
                if isStopping { break attempts }
                failedAttempts = gotNewFrames ? 0 : failedAttempts + 1
                if failedAttempts > options.reconnect.maxAttempts {
                    endReason = "stream ended (\(reason))"
                    break attempts
                }
                reconnectReason = reason
                onEvent(.reconnecting(reason: reason))
                update { $0.state = .reconnecting; $0.reconnects += 1; $0.lastError = reason }
                if failedAttempts > 0 { pause(options.reconnect.delay(forAttempt: failedAttempts)) }
            }
        }
        if isStopping { endReason = "stopped" }
        if let pipeline {
            do { try pipeline.segmenter.closeAll(reason: endReason) } catch {
                if case .failed = outcome {} else { outcome = .failed(error) }
            }
        }
        options.segmentObserver?.recordingEnded()
        if let outcome { return outcome }
        if pipeline?.hasWritten != true {
            return .failed(.demux("the stream ended before any media was recorded"))
        }
        return .completed(reason: endReason)
    }

    private enum PumpEnd {
        case finished(String)
        case failed(MediaError)
        case dropped(reason: String, gotNewFrames: Bool)
    }

    /// Reads one opened input (and the demuxers reopened on its boundaries) into the pipeline.
    private func pump(_ opened: OpenedInput, into pipeline: PacketPipeline, reconnectReason: String?) -> PumpEnd {
        var input = opened
        var gotNewFrames = false
        // What the source said up to its end belongs to it, not to the input opened next (whose byte
        // positions start again).
        defer { for note in takeNotes() { pipeline.note(note) } }
        do { try pipeline.begin(tracks: input.demuxer.tracks, reconnect: reconnectReason) } catch { return .failed(error) }
        var lastProgress = ContinuousClock.now
        while true {
            for note in takeNotes() { pipeline.note(note) }
            let read = input.demuxer.next()
            do {
                switch read {
                case .packet(let p):
                    if try pipeline.push(p) {
                        gotNewFrames = true
                        lastProgress = .now
                        update {
                            $0.mediaSeconds = Double(pipeline.segmenter.writtenMicros) / 1e6
                            $0.currentFile = pipeline.segmenter.currentPath
                            $0.writtenBytes = pipeline.segmenter.closedBytes + pipeline.segmenter.currentBytes
                        }
                        if pipeline.reachedMaxDuration { return .finished("duration reached") }
                    } else if ContinuousClock.now - lastProgress > options.stallTimeout {
                        input.source?.cancel()
                        return .dropped(reason: "stalled: no new frame for \(Int(options.stallTimeout.seconds)) s",
                                        gotNewFrames: gotNewFrames)
                    }
                case .tracksChanged(let tracks):
                    try pipeline.begin(tracks: tracks, reconnect: nil, sameInput: true)
                case .finished(.boundary):
                    for note in takeNotes() { pipeline.note(note) }  // before the new demuxer reads
                    try input.reopen()
                    try pipeline.begin(tracks: input.demuxer.tracks, reconnect: nil)
                case .finished(.end):
                    if input.kind == .hlsTS || input.kind == .hlsFMP4 { return .finished("stream ended") }
                    return .dropped(reason: "the server closed the connection", gotNewFrames: gotNewFrames)
                case .finished(.failed(let e)):
                    if case .cancelled = e, isStopping { return .finished("stopped") }
                    if !e.isRetryable && !pipeline.hasWritten { return .failed(e) }
                    return .dropped(reason: e.description, gotNewFrames: gotNewFrames)
                case .finished(.bytes):
                    return .failed(.demux("internal: demuxer finished with data pending"))
                }
            } catch {
                if case .io = error { return .failed(error) }
                if case .mux = error { return .failed(error) }
                if !pipeline.hasWritten { return .failed(error) }
                return .dropped(reason: error.description, gotNewFrames: gotNewFrames)
            }
            if isStopping { return .finished("stopped") }
        }
    }

    private func makeSegmenter(format: OutputFormat) -> Segmenter {
        let template = options.output
        let values = options.templateValues
        return Segmenter(format: format, split: options.split,
                         nextFile: { () throws(MediaError) in try template.createFile(values: values, ext: format.fileExtension) },
                         observer: options.segmentObserver,
                         onEvent: { [weak self] event in
                             guard let self else { return }
                             switch event {
                             case .opened(let path):
                                 self.onEvent(.segmentOpened(path: path))
                             case .closed(let path, let report):
                                 self.update { $0.files.append(path); $0.currentFile = nil }
                                 self.onEvent(.segmentClosed(path: path, report: report))
                             }
                         })
    }

    private func pause(_ d: Duration) {
        let until = ContinuousClock.now + d
        while ContinuousClock.now < until && !isStopping { Thread.sleep(forTimeInterval: 0.05) }
    }

    /// After a stream was live, these answers mean it is over rather than dropped.
    static func meansStreamOver(_ e: MediaError) -> Bool {
        if case .network(.httpStatus(let s, _)) = e { return s == 404 || s == 403 || s == 410 }
        return false
    }
}
