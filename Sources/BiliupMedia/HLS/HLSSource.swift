import BiliupNet
import Foundation

/// The container of an HLS stream's segments, which decides the demuxer.
public enum HLSSegmentFormat: String, Sendable {
    case mpegts
    case fmp4
}

/// A live (or finished) HLS stream as one byte stream: our own client over the shared curl loop, so
/// segments come in with the process's other transfers and libavformat only demuxes the bytes.
///
/// `read` returns, in order, for fMP4 the initialization section and then the segments' bytes, for
/// MPEG-TS just the segments. A discontinuity or a new EXT-X-MAP is a `.boundary`: the reader opens a
/// new demuxer, which again gets the initialization section first. Playlists are reloaded and segments
/// downloaded in the background (network thread and timers); the demux thread only waits in `read`.
/// Memory is bounded by `HLSSegmentFetcher`'s limits: a handful of segments at most.
public final class HLSSource: ByteSource, @unchecked Sendable {
    /// Segments before the end of the first playlist where a live recording starts (RFC 8216 §6.3.3:
    /// not less than three target durations from the end, so the edge has time to grow).
    public static let liveEdgeSegments = 3
    /// Reloads in a row that may be malformed (a CDN node serving a truncated file) before giving up.
    static let maxMalformedReloads = 3
    /// A reload slower than this has already cost segments; give up on it so the next one can try.
    static let minimumReloadTimeout: Duration = .seconds(5)
    /// How long the first playlist may take, at most (the caller's read timeout if shorter).
    static let maximumFirstPlaylistTimeout: Duration = .seconds(20)
    /// How often a waiting `read` looks at the clock although nothing woke it (a safety net only).
    static let waitSlice: TimeInterval = 1

    public private(set) var segmentFormat: HLSSegmentFormat
    /// The media playlist being recorded (after following a master playlist to its best variant).
    public let playlistURL: String
    /// The variant chosen from a master playlist, if the URL was one.
    public let variant: Variant?

    private let headers: [(String, String)]
    private let proxy: String?
    private let blockPrivateAddresses: Bool
    private let readTimeout: Duration
    private let notes: @Sendable (SourceNote) -> Void

    private let cond = NSCondition()
    // Guarded by `cond`:
    private var fetcher = HLSSegmentFetcher()
    private var pacer: HLSReloadPacer
    private var nextSequence = 0
    private var highestSequenceSeen = -1
    private var lastQueuedMap: InitSection?
    private var queuedAnySegment = false
    /// The next queued segment starts a new stream although the playlist does not say so.
    private var restarted = false
    /// Segments of a complete playlist (VOD, ENDLIST) beyond the queue's limit: no reload will list
    /// them again, so they wait here and are queued as the reader moves on.
    private var backlog: ArraySlice<MediaSegment> = []
    /// What `read` returns once everything queued before it was read (ENDLIST, playlist gone, failure).
    private var terminal: SourceRead?
    private var cancelled = false
    private var malformedReloads = 0
    private var lastReloadError: MediaError?
    private var received: Int64 = 0
    private var fetched = 0
    /// URIs of recently queued segments, to tell a restarted stream (sequence numbers reset, new
    /// segments) from a CDN node serving an older copy of the playlist.
    private var recentURIs: [String] = []
    private static let recentURICount = 2 * HLSSegmentFetcher.maxQueuedSegments

    // The reader's own (demux thread only):
    /// The body of the download being read, handed out through an offset, never copied elsewhere.
    private var current: [UInt8] = []
    private var currentOffset = 0
    private var bytesSinceBoundary = 0

    public var receivedBytes: Int64 { cond.withLock { received } }
    /// Segments downloaded so far (initialization sections not counted).
    public var segmentsFetched: Int { cond.withLock { fetched } }

    /// Fetches the playlist (following a master playlist to its best variant), decides where to start,
    /// and waits for the first segment when needed to tell MPEG-TS from fMP4. Blocks the calling thread.
    public init(url: String, headers: [(String, String)], proxy: String?, blockPrivateAddresses: Bool = false,
                readTimeout: Duration, notes: @escaping @Sendable (SourceNote) -> Void) throws(MediaError) {
        self.headers = headers
        self.proxy = proxy
        self.blockPrivateAddresses = blockPrivateAddresses
        self.readTimeout = readTimeout
        self.notes = notes
        let firstTimeout = min(readTimeout, HLSSource.maximumFirstPlaylistTimeout)

        var loadStart = ContinuousClock.now
        let load = { (url: String) throws(MediaError) in
            try HLSSource.loadFirst(url, headers: headers, proxy: proxy, blockPrivateAddresses: blockPrivateAddresses,
                                    timeout: firstTimeout)
        }
        var (playlist, bytes) = try load(url)
        var total = Int64(bytes)
        var mediaURL = url
        var chosen: Variant?
        if case .master(let master) = playlist {
            guard let best = master.best else { throw .invalidPlaylist("master playlist lists no variants: \(url)") }
            chosen = best
            mediaURL = best.uri
            loadStart = .now
            (playlist, bytes) = try load(mediaURL)
            total += Int64(bytes)
        }
        guard case .media(let media) = playlist else {
            throw .invalidPlaylist("variant \(mediaURL) is a master playlist, not a media playlist")
        }
        playlistURL = mediaURL
        variant = chosen
        received = total
        pacer = HLSReloadPacer(targetDuration: media.targetDuration, readTimeout: readTimeout, start: .now)
        let first = media.isComplete ? 0 : max(0, media.segments.count - HLSSource.liveEdgeSegments)
        let initial = media.segments[first...]
        segmentFormat = initial.first?.map != nil ? .fmp4 : .mpegts

        let jobs: [HLSSegmentFetcher.Job] = cond.withLock {
            highestSequenceSeen = media.lastSequence
            nextSequence = initial.first?.sequence ?? media.mediaSequence
            enqueue(initial, complete: media.isComplete)
            if media.isComplete { terminal = .end }
            return fetcher.startable()
        }
        start(jobs)
        if !media.isComplete {
            scheduleReload(at: pacer.nextReload(after: loadStart, broughtNewSegments: true))
        }
        if initial.first?.map == nil {
            do {
                if let format = try waitForFirstSegmentFormat() { segmentFormat = format }
            } catch {
                cancel()
                throw error
            }
        }
    }

    deinit {
        cancel()
    }

    public func cancel() {
        cond.withLock {
            cancelled = true
            fetcher.clear()
            cond.broadcast()
        }
    }

    // MARK: reading

    public func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> SourceRead {
        guard capacity > 0 else { return .bytes(0) }
        var pending: [SourceNote] = []
        defer { pending.forEach(notes) }  // outside the lock, before the caller sees what follows them
        cond.lock()
        while true {
            if cancelled {
                cond.unlock()
                return .failed(.cancelled)
            }
            if currentOffset < current.count {
                cond.unlock()
                let n = min(capacity, current.count - currentOffset)
                current.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + currentOffset, byteCount: n) }
                currentOffset += n
                bytesSinceBoundary += n
                if currentOffset == current.count { finishCurrent() }
                return .bytes(n)
            }
            if !backlog.isEmpty, fetcher.queuedSegments < HLSSegmentFetcher.maxQueuedSegments {
                let rest = backlog
                backlog = []
                enqueue(rest, complete: true)
                let jobs = fetcher.startable()
                if !jobs.isEmpty {
                    cond.unlock()
                    start(jobs)
                    cond.lock()
                    continue
                }
            }
            if let item = fetcher.popResolved() {
                switch (item.kind, item.state) {
                case (.boundary(let reason), _):
                    guard bytesSinceBoundary > 0 else { continue }  // nothing before it: no new demuxer needed
                    bytesSinceBoundary = 0
                    cond.unlock()
                    pending.append(.discontinuity)
                    return .boundary(reason)
                case (.note(let note), _):
                    pending.append(note)
                case (.segment(let s), .done(let bytes)):
                    if let date = s.programDateTime { pending.append(.programDateTime(date, atByte: Int64(bytesSinceBoundary))) }
                    current = bytes
                    currentOffset = 0
                case (_, .done(let bytes)):
                    current = bytes
                    currentOffset = 0
                case (.segment(let s), .failed(let error)):
                    pending.append(.segmentFailed(uri: s.uri, reason: "\(error) (\(HLSSegmentFetcher.maxAttempts) attempts)"))
                case (.initSection, .failed(let error)):
                    // fMP4 segments cannot be read without their initialization section.
                    terminal = .failed(error)
                    fetcher.clear()
                default:
                    break
                }
                continue
            }
            if fetcher.isEmpty, backlog.isEmpty, let terminal {
                cond.unlock()
                return terminal
            }
            _ = cond.wait(until: Date(timeIntervalSinceNow: HLSSource.waitSlice))
        }
    }

    /// The reader is through the current download: its memory goes, and prefetch may go on.
    private func finishCurrent() {
        let count = current.count
        current = []
        currentOffset = 0
        let jobs: [HLSSegmentFetcher.Job] = cond.withLock {
            guard !cancelled else { return [] }
            fetcher.release(count)
            return fetcher.startable()
        }
        start(jobs)
    }

    // MARK: playlist

    /// Loads a playlist for `init`: any HTTP status but 2xx, or a body that is not a playlist, fails.
    private static func loadFirst(_ url: String, headers: [(String, String)], proxy: String?, blockPrivateAddresses: Bool,
                                  timeout: Duration) throws(MediaError) -> (Playlist, Int) {
        var request = HTTPRequest(url: url, headers: headers, timeout: timeout, proxy: proxy)
        request.blockPrivateAddresses = blockPrivateAddresses
        let response: HTTPResponse
        switch HLSBlockingFetch.run(request) {
        case .failure(let e): throw .network(e)
        case .success(let r): response = r
        }
        guard (200..<300).contains(response.status) else {
            throw .network(.httpStatus(response.status, url: response.effectiveURL))
        }
        return (try Playlist.parse(response.text, baseURL: response.effectiveURL), response.body.count)
    }

    private func scheduleReload(at instant: ContinuousClock.Instant) {
        let delay = max(.zero, instant - .now)
        DispatchQueue.global().asyncAfter(deadline: .now() + delay.seconds) { [weak self] in self?.reload() }
    }

    private func reload() {
        let timeout: Duration? = cond.withLock {
            guard !cancelled, terminal == nil else { return nil }
            return min(readTimeout, max(pacer.targetDuration * 2, HLSSource.minimumReloadTimeout))
        }
        guard let timeout else { return }
        let startedAt = ContinuousClock.now
        var request = HTTPRequest(url: playlistURL, headers: headers, timeout: timeout, proxy: proxy)
        request.blockPrivateAddresses = blockPrivateAddresses
        HTTPClient.start(request) { [self] result in reloaded(result, startedAt: startedAt) }
    }

    /// A reload finished (network thread): merge new segments, decide the next reload or the end.
    private func reloaded(_ result: Result<HTTPResponse, NetError>, startedAt: ContinuousClock.Instant) {
        var next: ContinuousClock.Instant?
        let jobs: [HLSSegmentFetcher.Job] = cond.withLock {
            guard !cancelled, terminal == nil else { return [] }
            let now = ContinuousClock.now
            var reloadSoon = false  // the reload brought nothing usable: next one at the "unchanged" pace
            switch result {
            case .failure(let e):
                lastReloadError = .network(e)
                reloadSoon = true
            case .success(let response):
                received += Int64(response.body.count)
                if response.status == 404 || response.status == 410 {
                    terminal = .end  // the stream is over; what we have is read out first
                } else if !(200..<300).contains(response.status) {
                    let error = MediaError.network(.httpStatus(response.status, url: response.effectiveURL))
                    if error.isRetryable { lastReloadError = error; reloadSoon = true } else { terminal = .failed(error) }
                } else {
                    do throws(MediaError) {
                        let playlist = try Playlist.parse(response.text, baseURL: response.effectiveURL)
                        guard case .media(let media) = playlist else {
                            throw MediaError.invalidPlaylist("\(playlistURL) turned into a master playlist")
                        }
                        malformedReloads = 0
                        lastReloadError = nil
                        pacer.update(targetDuration: media.targetDuration)
                        let changed = merge(media)
                        pacer.record(changed: changed, at: now)
                        if media.endList {
                            terminal = .end
                        } else {
                            next = pacer.nextReload(after: startedAt, broughtNewSegments: changed)
                        }
                    } catch .invalidPlaylist(let m) {
                        malformedReloads += 1
                        let error = MediaError.invalidPlaylist(m)
                        if malformedReloads >= HLSSource.maxMalformedReloads { terminal = .failed(error) }
                        lastReloadError = error
                        reloadSoon = true
                    } catch {
                        terminal = .failed(error)  // e.g. the stream became encrypted
                    }
                }
            }
            if terminal == nil, let idle = pacer.stalled(at: now) {
                terminal = .failed(lastReloadError ?? .stalled(seconds: idle.seconds))
            }
            if terminal == nil, next == nil, reloadSoon {
                next = pacer.nextReload(after: startedAt, broughtNewSegments: false)
            }
            if terminal != nil { next = nil }
            cond.broadcast()
            return fetcher.startable()
        }
        start(jobs)
        if let next { scheduleReload(at: next) }
    }

    /// Queues the segments of a reloaded playlist that we do not have yet; true if it grew.
    private func merge(_ media: MediaPlaylist) -> Bool {
        var changed = media.lastSequence > highestSequenceSeen
        if !media.segments.isEmpty, media.lastSequence < nextSequence - 1,
           !media.segments.contains(where: { recentURIs.contains($0.uri) }) {
            // Sequence numbers went back and every segment is new: the server restarted the stream.
            let start = max(0, media.segments.count - HLSSource.liveEdgeSegments)
            nextSequence = media.segments[start].sequence
            highestSequenceSeen = media.lastSequence
            restarted = true
            changed = true
        }
        highestSequenceSeen = max(highestSequenceSeen, media.lastSequence)
        guard let first = media.segments.first(where: { $0.sequence >= nextSequence }) else { return changed }
        if first.sequence > nextSequence {
            fetcher.append(.note(.sequenceGap(from: nextSequence, to: first.sequence - 1)))
            nextSequence = first.sequence
        }
        enqueue(media.segments[media.segments.firstIndex { $0.sequence == first.sequence }!...], complete: media.endList)
        return changed
    }

    /// Queues segments in order, with a boundary before a discontinuity or a new initialization section,
    /// and the initialization section wherever a new demuxer starts. What does not fit waits in the
    /// backlog if the playlist is `complete`; a live playlist lists it again on the next reload.
    private func enqueue(_ segments: ArraySlice<MediaSegment>, complete: Bool) {
        for (i, s) in zip(segments.indices, segments) {
            guard fetcher.queuedSegments < HLSSegmentFetcher.maxQueuedSegments else {
                if complete { backlog = segments[i...] }
                return
            }
            nextSequence = s.sequence + 1
            if s.isGap {
                fetcher.append(.note(.segmentFailed(uri: s.uri, reason: "marked EXT-X-GAP by the server")))
                continue
            }
            let mapChanged = s.map != lastQueuedMap
            var boundary: String?
            if queuedAnySegment {
                if s.discontinuity || restarted {
                    boundary = "discontinuity"
                } else if mapChanged {
                    boundary = "new initialization section"
                }
            }
            restarted = false
            if let boundary { fetcher.append(.boundary(boundary)) }
            if let map = s.map, boundary != nil || mapChanged || !queuedAnySegment {
                fetcher.append(.initSection(map))
            }
            fetcher.append(.segment(s))
            lastQueuedMap = s.map
            queuedAnySegment = true
            recentURIs.append(s.uri)
            if recentURIs.count > HLSSource.recentURICount { recentURIs.removeFirst(recentURIs.count - HLSSource.recentURICount) }
        }
    }

    // MARK: segments

    private func start(_ jobs: [HLSSegmentFetcher.Job]) {
        guard !jobs.isEmpty else { return }
        let timeout = cond.withLock { max(readTimeout, pacer.targetDuration * 3) }
        for job in jobs {
            var requestHeaders = headers
            if let range = job.range { requestHeaders.append(("Range", range.httpRange)) }
            // Not `media: true`: buffered media transfers get no whole-request timeout, and a segment
            // that never finishes must not hold the stream forever.
            var request = HTTPRequest(url: job.url, headers: requestHeaders, timeout: timeout, proxy: proxy)
            request.blockPrivateAddresses = blockPrivateAddresses
            HTTPClient.start(request) { [self] result in segmentFinished(job, result) }
        }
    }

    /// A download finished (network thread).
    private func segmentFinished(_ job: HLSSegmentFetcher.Job, _ result: Result<HTTPResponse, NetError>) {
        let body = HLSSource.segmentBody(result, range: job.range)
        var retry: Duration?
        let jobs: [HLSSegmentFetcher.Job] = cond.withLock {
            if case .success(let r) = result { received += Int64(r.body.count) }
            guard !cancelled else { return [] }
            let outcome = fetcher.finish(id: job.id, body)
            if outcome == .delivered, let item = fetcher.items.first(where: { $0.id == job.id }),
               case .segment = item.kind {
                fetched += 1
            }
            if case .retry(let after) = outcome { retry = after }
            cond.broadcast()
            return fetcher.startable()
        }
        start(jobs)
        if let retry {
            DispatchQueue.global().asyncAfter(deadline: .now() + retry.seconds) { [weak self] in
                guard let self else { return }
                let jobs: [HLSSegmentFetcher.Job] = cond.withLock {
                    guard !cancelled else { return [] }
                    fetcher.retryDue(id: job.id)
                    return fetcher.startable()
                }
                start(jobs)
            }
        }
    }

    /// The bytes of a segment response, or why there are none.
    static func segmentBody(_ result: Result<HTTPResponse, NetError>, range: ByteRange?) -> Result<[UInt8], MediaError> {
        switch result {
        case .failure(let e):
            return .failure(.network(e))
        case .success(let r):
            guard (200..<300).contains(r.status) else { return .failure(.network(.httpStatus(r.status, url: r.effectiveURL))) }
            if let range, r.status != 206 {
                // The server ignored Range and sent the whole resource: cut out our part.
                guard r.body.count >= range.offset + range.length else {
                    return .failure(.notAStream("\(r.effectiveURL): \(r.body.count) bytes, byte range \(range) is beyond them"))
                }
                return .success(Array(r.body[range.offset..<(range.offset + range.length)]))
            }
            guard !r.body.isEmpty else { return .failure(.notAStream("\(r.effectiveURL): empty segment")) }
            return .success(r.body)
        }
    }

    // MARK: format

    /// Waits until the first segment downloaded and tells its container; nil if the stream ended first.
    private func waitForFirstSegmentFormat() throws(MediaError) -> HLSSegmentFormat? {
        let found: Result<(String, [UInt8])?, MediaError> = cond.withLock {
            while true {
                if cancelled { return .failure(.cancelled) }
                switch fetcher.firstSegment() {
                case .bytes(let uri, let bytes): return .success((uri, bytes))
                case .pending: break
                case .none:
                    if let terminal {
                        if case .failed(let e) = terminal { return .failure(e) }
                        return .success(nil)
                    }
                }
                _ = cond.wait(until: Date(timeIntervalSinceNow: HLSSource.waitSlice))
            }
        }
        guard let (uri, bytes) = try found.get() else { return nil }
        return try HLSSource.sniff(bytes, uri: uri)
    }

    /// MPEG-TS (0x47 sync bytes 188 apart) or fMP4 (an ISO BMFF box first).
    static func sniff(_ bytes: [UInt8], uri: String) throws(MediaError) -> HLSSegmentFormat {
        if bytes.first == 0x47, bytes.count < 189 || bytes[188] == 0x47 { return .mpegts }
        if bytes.count >= 8 {
            let type = String(decoding: bytes[4..<8], as: UTF8.self)
            if ["ftyp", "styp", "moof", "sidx", "emsg", "prft", "moov", "free"].contains(type) { return .fmp4 }
        }
        if bytes.starts(with: Array("ID3".utf8)) || (bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] & 0xF6 == 0xF0) {
            throw .unsupported("HLS packed audio segments (ID3/ADTS): \(uri)")
        }
        // Described, never quoted (see `ResponseSummary`).
        throw .notAStream("HLS segment \(uri) is neither MPEG-TS nor fMP4 (\(ResponseSummary.describe(contentType: nil, bytes: bytes.count)))")
    }
}

/// Runs one buffered request and blocks the calling thread (never the network thread) until it ends.
enum HLSBlockingFetch {
    /// Beyond the request's own timeout, in case a completion never comes.
    static let grace: Duration = .seconds(5)

    private final class Box: @unchecked Sendable {
        let cond = NSCondition()
        var result: Result<HTTPResponse, NetError>?
    }

    static func run(_ request: HTTPRequest) -> Result<HTTPResponse, NetError> {
        let box = Box()
        HTTPClient.start(request) { result in
            box.cond.withLock {
                box.result = result
                box.cond.signal()
            }
        }
        let deadline = Date(timeIntervalSinceNow: (request.timeout + request.connectTimeout + grace).seconds)
        return box.cond.withLock {
            while box.result == nil {
                if !box.cond.wait(until: deadline) && box.result == nil {
                    return .failure(.timeout("no answer from \(request.url)"))
                }
            }
            return box.result!
        }
    }
}
