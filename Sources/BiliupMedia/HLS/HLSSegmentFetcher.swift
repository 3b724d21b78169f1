/// What `HLSSource.read` delivers next, in stream order, and the bookkeeping of the downloads that fill
/// it: bounded parallel prefetch, bytes held, retries. It does no I/O itself; `HLSSource` runs the jobs
/// it hands out and reports back, always under the source's lock.
struct HLSSegmentFetcher {
    /// Downloads at once. At the live edge one new segment appears per target duration, so more than
    /// one runs only at the start (the live-edge segments) or while catching up; three lets a catch-up
    /// use the connection well without one slow CDN node holding many requests.
    static let maxInFlight = 3
    /// Downloaded bytes not yet read: three 6-second segments of a 6 Mbit/s stream (4.5 MB each) with
    /// headroom. A reader slower than the stream stops prefetch here instead of memory growing.
    static let maxHeldBytes = 16 << 20
    /// Segments listed but not yet read. Beyond this a reader is far behind; the segments left out are
    /// picked up from a later reload if still listed, or reported as a sequence gap if not.
    static let maxQueuedSegments = 64
    /// Backoff before the 2nd and 3rd attempt at a segment: short, the next segment is due within a
    /// target duration, and a CDN node's hiccup (5xx, reset) usually clears within a second.
    static let retryDelays: [Duration] = [.milliseconds(300), .seconds(1)]
    static var maxAttempts: Int { retryDelays.count + 1 }

    enum Kind {
        case initSection(InitSection)
        case segment(MediaSegment)
        /// The reader closes its demuxer here (if any bytes came since the last boundary).
        case boundary(String)
        /// Something for the integrity report, in stream position.
        case note(SourceNote)

        var url: String? {
            switch self {
            case .initSection(let s): return s.uri
            case .segment(let s): return s.uri
            case .boundary, .note: return nil
            }
        }
    }

    enum State {
        case waiting
        case fetching
        case backoff
        case done([UInt8])
        case failed(MediaError)
    }

    struct Item {
        let id: Int
        let kind: Kind
        var state: State
        var attempts = 0
    }

    struct Job: Sendable {
        let id: Int
        let url: String
        let range: ByteRange?
        let attempt: Int
    }

    enum Outcome: Equatable {
        case delivered
        case retry(after: Duration)
        case gaveUp
        /// The item is gone (the queue was cleared meanwhile).
        case unknown
    }

    private(set) var items: [Item] = []
    private var nextID = 0
    private(set) var inFlight = 0
    /// Bytes of finished downloads not yet read through (the reader's current chunk included).
    private(set) var heldBytes = 0
    private(set) var queuedSegments = 0
    /// The last initialization section fetched: a discontinuity with the same EXT-X-MAP repeats it
    /// to the new demuxer without another download.
    private var initCache: (section: InitSection, bytes: [UInt8])?

    var isEmpty: Bool { items.isEmpty }
    var front: Item? { items.first }

    mutating func append(_ kind: Kind) {
        let state: State
        switch kind {
        case .initSection, .segment: state = .waiting
        case .boundary, .note: state = .done([])
        }
        if case .segment = kind { queuedSegments += 1 }
        items.append(Item(id: nextID, kind: kind, state: state))
        nextID += 1
    }

    /// Marks the downloads to start now, in stream order, within the limits.
    mutating func startable() -> [Job] {
        var jobs: [Job] = []
        // The first item not yet in is what the reader waits for: the byte limit never holds it back
        // (bytes held by later downloads would otherwise block it for good after a retry).
        let firstPending = items.firstIndex { item in
            switch item.state {
            case .done, .failed: return false
            case .waiting, .fetching, .backoff: return true
            }
        }
        for i in items.indices {
            guard case .waiting = items[i].state else { continue }
            if case .initSection(let section) = items[i].kind {
                if let cache = initCache, cache.section == section {
                    items[i].state = .done(cache.bytes)
                    heldBytes += cache.bytes.count
                    continue
                }
                if isDownloading(section) { continue }  // answered from the cache once that one is in
            }
            guard inFlight < HLSSegmentFetcher.maxInFlight,
                  heldBytes < HLSSegmentFetcher.maxHeldBytes || i == firstPending else { break }
            let range: ByteRange?
            switch items[i].kind {
            case .initSection(let s): range = s.byteRange
            case .segment(let s): range = s.byteRange
            case .boundary, .note: continue
            }
            items[i].state = .fetching
            items[i].attempts += 1
            inFlight += 1
            jobs.append(Job(id: items[i].id, url: items[i].kind.url!, range: range, attempt: items[i].attempts))
        }
        return jobs
    }

    private func isDownloading(_ section: InitSection) -> Bool {
        items.contains { item in
            guard case .initSection(let s) = item.kind, s == section else { return false }
            switch item.state {
            case .fetching, .backoff: return true
            default: return false
            }
        }
    }

    /// Records the end of a download.
    mutating func finish(id: Int, _ result: Result<[UInt8], MediaError>) -> Outcome {
        inFlight -= 1
        guard let i = items.firstIndex(where: { $0.id == id }) else { return .unknown }
        switch result {
        case .success(let bytes):
            items[i].state = .done(bytes)
            heldBytes += bytes.count
            if case .initSection(let section) = items[i].kind { initCache = (section, bytes) }
            return .delivered
        case .failure(let error):
            if items[i].attempts < HLSSegmentFetcher.maxAttempts {
                items[i].state = .backoff
                return .retry(after: HLSSegmentFetcher.retryDelays[items[i].attempts - 1])
            }
            items[i].state = .failed(error)
            return .gaveUp
        }
    }

    /// A retry's backoff is over: the item may be started again.
    mutating func retryDue(id: Int) {
        guard let i = items.firstIndex(where: { $0.id == id }), case .backoff = items[i].state else { return }
        items[i].state = .waiting
    }

    /// Removes the front item if it is resolved (downloaded, given up, or a marker). Its bytes stay
    /// counted in `heldBytes` until `release` says the reader is through them.
    mutating func popResolved() -> Item? {
        guard let item = items.first else { return nil }
        switch item.state {
        case .done, .failed: break
        case .waiting, .fetching, .backoff: return nil
        }
        items.removeFirst()
        if case .segment = item.kind { queuedSegments -= 1 }
        return item
    }

    mutating func release(_ bytes: Int) {
        heldBytes = max(0, heldBytes - bytes)
    }

    /// Drops everything queued (cancel, or a fatal error); downloads in flight report back as `.unknown`.
    mutating func clear() {
        items.removeAll()
        heldBytes = 0
        queuedSegments = 0
    }

    enum FirstSegment {
        case bytes(uri: String, [UInt8])
        case pending
        /// No segment left that could still deliver bytes.
        case none
    }

    /// The bytes of the first segment that downloaded, for telling MPEG-TS from fMP4.
    func firstSegment() -> FirstSegment {
        for item in items {
            guard case .segment(let s) = item.kind else { continue }
            switch item.state {
            case .done(let bytes): return .bytes(uri: s.uri, bytes)
            case .failed: continue
            case .waiting, .fetching, .backoff: return .pending
            }
        }
        return .none
    }
}
