import BiliupDanmaku
import BiliupMedia
import BiliupNet
import BiliupScript
import BiliupStore
import BiliupUpload
import BiliupValues
import Foundation
import Synchronization

/// Watches every streamer, records whoever is live, and keeps sessions, segments and events in the
/// store. One actor owns the state; recordings run on their own threads and report back to it.
public actor Engine {
    private nonisolated let executor = EngineExecutor()
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public let bus: EventBus
    let store: Store
    let checker: any RoomChecker
    /// The clock, recorder and disk reading the engine's decisions use (production's unless a test's).
    let environment: EngineEnvironment
    var clock: any EngineClock { environment.clock }
    /// The configuration in effect: main.lua's, with the global options set through the API over it.
    var config: OrchestrationConfig
    /// main.lua's global options, before the API's settings.
    var scriptGlobal: GlobalOptions
    /// Global options set through the API (`GlobalSettings` keys), kept in the store.
    var apiSettings: [String: JSONValue] = [:]
    /// Streamers added through the API, watched beside main.lua's.
    var apiStreamers: [StreamerDeclaration] = []
    let scheduler: CheckScheduler
    private let results: ResultForwarder
    var watches: [String: StreamerWatch] = [:]
    /// Streamers removed from the configuration whose last recording is still finishing.
    var retiring: [String: StreamerWatch] = [:]
    /// Live rooms waiting for a free recording slot (max_recordings), in arrival order.
    var queue: [String] = []
    var stopping = false
    private var diskTask: Task<Void, Never>?
    private var progressTask: Task<Void, Never>?
    /// The upload queue's running jobs, progress and rate-limit waits (the queue itself is in the store).
    let uploadWork = UploadWork()
    /// QR logins started through the API and not finished yet.
    let qrLogins = PendingQRLogins()
    let startedAt = Date()
    /// Grows with every event and command: a client that cached what it read knows when to read again.
    public nonisolated let revision = Atomic<Int>(0)
    /// Starting, running or stopping, for the health check.
    public nonisolated let lifecycle = EngineLifecycle()
    /// Running totals of recordings and uploads, for the metrics.
    public nonisolated let counters = RecordingCounters()

    /// How often free disk space is looked at.
    static let diskCheckInterval: Duration = .seconds(5)
    /// How often each recording's bytes, duration and bitrate are published (`progress` events).
    static let progressInterval: Duration = .seconds(2)

    /// `block_private_addresses` as the plugin VM reads it: the checker's, so the setting reaches plugin requests.
    nonisolated let addressPolicy: AddressPolicy
    /// Sends events to the webhooks (main.lua's and the API's), off the bus, each through its own bounded queue.
    nonisolated let webhookDispatcher: WebhookDispatcher

    /// `addressPolicy` is the one the checker's requests read (its `ScriptConfiguration.addressPolicy`).
    /// `uploader` uploads the sessions of streamers whose template names an account; without one they
    /// are queued in the store and wait for a run that has one. `accounts` is how the engine logs in,
    /// checks and renews Bilibili accounts; without it the account commands say so.
    public init(config: OrchestrationConfig, store: Store, checker: any RoomChecker, bus: EventBus, rates: PlatformRates,
                addressPolicy: AddressPolicy = AddressPolicy(), uploader: (any ArchiveUploading)? = nil,
                accounts: AccountBook? = nil, chatNetwork: ChatNetworkSettings = ChatNetworkSettings()) {
        self.init(config: config, store: store, checker: checker, bus: bus, rates: rates, addressPolicy: addressPolicy,
                  environment: EngineEnvironment(uploader: uploader, accounts: accounts, chatNetwork: chatNetwork))
    }

    init(config: OrchestrationConfig, store: Store, checker: any RoomChecker, bus: EventBus, rates: PlatformRates,
         addressPolicy: AddressPolicy = AddressPolicy(), environment: EngineEnvironment) {
        self.environment = environment
        self.config = config
        self.addressPolicy = addressPolicy
        // Webhook requests reach the network like chat and plugin requests: same remap, proxy, address policy.
        webhookDispatcher = WebhookDispatcher(
            network: WebhookNetwork(hostRemap: environment.chatNetwork.hostRemap, proxy: environment.chatNetwork.proxy,
                                    addressPolicy: addressPolicy),
            settings: environment.webhookDelivery) { [bus] event in bus.publish(event) }
        scriptGlobal = config.global
        self.store = store
        self.checker = checker
        self.bus = bus
        let results = ResultForwarder()
        self.results = results
        scheduler = CheckScheduler(checker: checker, rates: rates) { room, result in results.deliver(room, result) }
    }

    // MARK: Lifecycle

    public func start() throws {
        results.engine.withLock { $0 = self }
        let interrupted = try store.closeInterruptedSessions(at: clock.now)
        if interrupted > 0 {
            publish(EngineEvent(.state, level: .warn, message: "\(interrupted) session(s) left open by the last run were closed as interrupted"))
        }
        do {
            apiSettings = try store.settings()
            apiStreamers = try store.streamers().filter { $0.origin == .api }.map(StreamerValidation.declaration)
        } catch {
            throw EngineError(error)
        }
        try resumeUploads()
        bus.attach { [webhookDispatcher] event in webhookDispatcher.accept(event) }
        try apply(config, announce: false)
        scheduler.start()
        pumpUploads()
        let clock = clock
        diskTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await clock.sleep(until: clock.now + Self.diskCheckInterval.seconds)
                await self?.checkDisk()
            }
        }
        progressTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await clock.sleep(until: clock.now + Self.progressInterval.seconds)
                await self?.reportProgress()
            }
        }
        lifecycle.advance(to: .running)
    }

    /// Applies a new configuration: new streamers are watched, removed ones stop (their recordings
    /// finish), changed ones take effect at their next recording; unchanged ones are not touched.
    public func apply(_ new: OrchestrationConfig, announce: Bool = true) throws {
        var sync = ScriptSync()
        if new.hasScript {
            try store.syncScriptTemplates(new.templates.map { TemplateRecord(name: $0.name, origin: .script, fields: $0.fields) })
            sync = try store.syncScriptStreamers(new.streamers.map(StreamerRecord.init(declaration:)))
            try syncScriptWebhooks(new.webhooks)
        }
        refreshWebhooks()
        scriptGlobal = new.global
        config = new
        config.global = GlobalSettings.applying(apiSettings, to: scriptGlobal)
        addressPolicy.blocksPrivateAddresses = config.global.blockPrivateAddresses
        try reconcile()
        if announce {
            publish(EngineEvent(.config, message: "configuration applied: \(sync.added.count) added, \(sync.changed.count) changed, \(sync.removed.count) removed",
                                data: ["added": .array(sync.added.map { .string($0) }), "removed": .array(sync.removed.map { .string($0) })]))
        }
    }

    /// Makes the watched streamers exactly main.lua's plus the API's: new ones are watched, gone ones
    /// stop (their recordings finish), changed ones take effect at their next recording.
    func reconcile() throws(EngineError) {
        revision.add(1, ordering: .relaxed)
        var declared: [String: (StreamerDeclaration, Origin)] = [:]
        for d in config.streamers { declared[d.name] = (d, .script) }
        for d in apiStreamers { declared[d.name] = (d, .api) }
        for (name, watch) in watches where declared[name] == nil {
            watches[name] = nil
            queue.removeAll { $0 == name }
            if let recording = watch.recording {
                retiring[name] = watch
                recording.recording.stop()
            } else {
                endSession(watch, reason: "streamer removed")
            }
        }
        let stored: [String: StreamerRecord]
        do { stored = Dictionary(uniqueKeysWithValues: try store.streamers().map { ($0.name, $0) }) } catch { throw EngineError(error) }
        for (d, origin) in declared.values {
            let record = stored[d.name]
            if let watch = watches[d.name] {
                watch.declaration = d
                watch.streamerId = record?.id
                watch.origin = origin
            } else {
                let watch = StreamerWatch(declaration: d, streamerId: record?.id, origin: origin)
                watch.paused = record?.paused ?? false
                watches[d.name] = watch
            }
        }
        updateRooms()
    }

    /// Hands the scheduler the rooms of every streamer that is not paused.
    func updateRooms() {
        scheduler.setRooms(watches.values.filter { !$0.paused }.flatMap { watch in
            watch.declaration.urls.map { WatchedRoom(streamer: watch.declaration.name, url: $0, options: watch.declaration.options,
                                                     interval: settings(for: watch.declaration).checkInterval ?? 30) }
        })
        for (name, watch) in watches where watch.recording != nil { scheduler.suspend(streamer: name) }
    }

    /// Stops watching, finishes every recording (files closed, playable and renamed), closes sessions.
    public func stop() async {
        lifecycle.advance(to: .stopping)
        stopping = true
        diskTask?.cancel()
        progressTask?.cancel()
        await scheduler.stop()
        results.engine.withLock { $0 = nil }
        let all = Array(watches.values) + Array(retiring.values)
        for watch in all { watch.recording?.recording.stop() }
        for watch in all { await watch.follower?.value }
        for watch in Array(watches.values) + Array(retiring.values) {
            await finishRecording(watch, outcome: nil)
            endSession(watch, reason: "stopped")
        }
        await stopUploads()
        await bus.close()
        await webhookDispatcher.stop(grace: environment.webhookDelivery.shutdownGrace)
        lifecycle.advance(to: .stopped)
    }

    // MARK: Checks

    fileprivate func checked(_ room: WatchedRoom, _ result: Result<CheckResult, ScriptError>) {
        guard !stopping, let watch = watches[room.streamer] else { return }
        switch result {
        case .failure(let error):
            if watch.lastError != error.description {
                watch.lastError = error.description
                publish(EngineEvent(.error, level: .warn, streamer: watch.name, message: error.description, data: ["url": .string(room.url)]))
            }
        case .success(let r):
            if watch.lastError != nil {
                watch.lastError = nil
                revision.add(1, ordering: .relaxed)
            }
            if r.live { live(watch, r) } else { offline(watch) }
        }
    }

    private func live(_ watch: StreamerWatch, _ r: CheckResult) {
        guard watch.recording == nil, !watch.paused, !watch.stopped else { return }
        if !watch.forced, let why = StreamerPolicy(watch.declaration).refusal(title: r.title, at: clock.now) {
            if watch.refusal != why {
                watch.refusal = why
                publish(EngineEvent(.state, streamer: watch.name, message: "live but not recorded: \(why)"))
            }
            return
        }
        if recordingCount >= config.global.maxRecordings {
            if !queue.contains(watch.name) {
                queue.append(watch.name)
                publish(EngineEvent(.state, streamer: watch.name, message: "live; waiting for a free recording slot (max_recordings = \(config.global.maxRecordings))"))
            }
            watch.pendingCheck = r
            return
        }
        if diskGuard.isLow {
            let why = "free disk space is below min_free_disk (\(config.global.minFreeDiskBytes >> 20) MiB)\(queuedUploadNote)"
            if watch.refusal != why {  // once, not at every check
                watch.refusal = why
                publish(EngineEvent(.error, level: .error, streamer: watch.name, message: "live, but not recorded: \(why)"))
            }
            return
        }
        watch.refusal = nil
        startRecording(watch, r)
    }

    private func offline(_ watch: StreamerWatch) {
        watch.stopped = false
        if watch.sessionId == nil { watch.forced = false }
        guard watch.recording == nil, let deadline = sessionDeadline(watch) else { return }
        if clock.now >= deadline { endSession(watch, reason: "stream ended") }
    }

    var recordingCount: Int { watches.values.filter { $0.recording != nil }.count }

    // MARK: Sessions and recordings

    func startRecording(_ watch: StreamerWatch, _ r: CheckResult) {
        // Its delay timer may not have run yet: a broadcast back after `delay` is a new session.
        if let deadline = sessionDeadline(watch), clock.now >= deadline { endSession(watch, reason: "stream ended") }
        if watch.sessionId != nil {
            publish(EngineEvent(.state, streamer: watch.name, sessionId: watch.sessionId, message: "live again within delay: same session"))
        }
        watch.liveCheck = r
        watch.waitingSince = nil
        watch.recordingWroteFrames = false
        scheduler.suspend(streamer: watch.name)
        let name = watch.name
        // The recorder's events and its end reach the engine in the order they happened: one stream,
        // ended once the recording thread has finished every file.
        let (events, sink) = AsyncStream.makeStream(of: RecordingEvent.self)
        let request = RecordingRequest(streamer: name, check: r, root: config.global.recordingsRoot,
                                       settings: settings(for: watch.declaration), checker: checker,
                                       options: watch.declaration.options,
                                       blockPrivateAddresses: config.global.blockPrivateAddresses,
                                       danmaku: danmakuWiring(watch, r))
        let recording = RoomRecording(environment.launchRecording(request) { event in sink.yield(event) })
        watch.recording = recording
        counters.recordingStarted(name)
        let ended = OutcomeBox()
        recording.recording.start { outcome in
            ended.value.withLock { $0 = outcome }
            sink.finish()
        }
        watch.follower = Task { [weak self] in
            for await event in events { await self?.recordingEvent(name, event) }
            let outcome = ended.value.withLock { $0 } ?? .completed(reason: "stopped")
            await self?.recordingEnded(name, recording, outcome)
        }
    }

    private func recordingEvent(_ name: String, _ event: RecordingEvent) {
        guard let watch = watches[name] ?? retiring[name] else { return }
        switch event {
        case .segmentOpened(let path):
            watch.recordingWroteFrames = true  // a file opens with its first frame
            guard let sessionId = openSessionAtFirstFrame(watch) else { return }
            do { watch.openSegments[path] = try store.addSegment(sessionId: sessionId, path: path, at: clock.now).id } catch {
                publish(EngineEvent(.error, level: .error, streamer: name, sessionId: sessionId, message: "store: \(error)"))
            }
        case .segmentClosed(let path, let report):
            guard let sessionId = watch.sessionId else { return }
            let segmentId = watch.openSegments.removeValue(forKey: path) ?? nil
            segmentClosed(watch, sessionId: sessionId, segmentId: segmentId, path: path, report: report)
        case .reconnecting(let reason):
            counters.reconnected(name)
            publish(EngineEvent(.state, level: .warn, streamer: name, sessionId: watch.sessionId, message: "reconnecting: \(reason)"))
        }
    }

    private func segmentClosed(_ watch: StreamerWatch, sessionId: Int64, segmentId: Int64?, path: String, report: SegmentReport) {
        let minimum = settings(for: watch.declaration).minSegmentBytes ?? 0
        do {
            if report.bytes < minimum {
                // Too short to be worth keeping (a blip of a reconnect): removed, not reported.
                try? FileManager.default.removeItem(atPath: path)
                try? FileManager.default.removeItem(atPath: path + ".json")
                if let segmentId { try store.removeSegment(id: segmentId, reason: "smaller than min_segment_size") }
                publish(EngineEvent(.state, level: .debug, streamer: watch.name, sessionId: sessionId,
                                    message: "removed \(path): \(report.bytes) bytes is under min_segment_size"))
                return
            }
            counters.segmentClosed(watch.name, report)
            if let segmentId {
                try store.finishSegment(id: segmentId, at: clock.now, duration: report.duration, bytes: report.bytes, report: report.jsonObject)
            }
        } catch {
            publish(EngineEvent(.error, level: .error, streamer: watch.name, sessionId: sessionId, message: "store: \(error)"))
        }
        var data: [String: JSONValue] = ["path": .string(path), "duration": .number(report.duration), "bytes": .int(Int64(report.bytes)),
                                         "report": .object(report.jsonObject)]
        // The chat beside the video, for hooks that move or convert it (`ev.xml`, `ev.ass`).
        if let danmaku = report.danmaku {
            data["xml"] = .string(SegmentReport.Danmaku.path(of: danmaku.file, besideVideo: path))
            if let ass = danmaku.ass { data["ass"] = .string(SegmentReport.Danmaku.path(of: ass, besideVideo: path)) }
        }
        publish(EngineEvent(.segment, streamer: watch.name, sessionId: sessionId, message: "segment \(path)", data: data))
        queueUpload(watch, sessionId: sessionId, segmentId: segmentId, path: path, report: report)
    }

    private func recordingEnded(_ name: String, _ recording: RoomRecording, _ outcome: RecordingOutcome) async {
        if let watch = retiring[name], watch.recording === recording {
            retiring[name] = nil
            await finishRecording(watch, outcome: outcome)
            endSession(watch, reason: "streamer removed")
            // Its rooms left the scheduler; the name must not stay suspended there should it come back.
            scheduler.resume(streamer: name, checkSoon: false)
            return startQueued()
        }
        guard let watch = watches[name], watch.recording === recording else { return }
        await finishRecording(watch, outcome: outcome)
        guard !stopping else { return }
        if watch.paused || watch.stopped {
            endSession(watch, reason: watch.paused ? "paused" : "stopped by the user")
            // A paused streamer's rooms are out of the scheduler: this only keeps the name from staying
            // suspended there, so that resuming it has its rooms checked again.
            scheduler.resume(streamer: name, checkSoon: false)
            return startQueued()
        }
        // A recording that wrote nothing (a stream gone with 404, refused, not a stream) does not count
        // as live: the delay runs on from the session's last frame, so a plugin that cannot tell (a
        // direct FLV URL always "live") does not keep a gone broadcast's session open for ever.
        if watch.recordingWroteFrames { watch.lastFrameAt = clock.now }
        // The broadcast may come back: wait `delay` before the session is over, checking again soon.
        if watch.sessionId != nil { watch.waitingSince = clock.now }
        // A stream that ended may be back at once (a CDN switch): check soon. One that failed (the
        // recorder already retried with backoff) waits for its next regular check, so a room whose
        // stream refuses every connection is not hammered.
        var failed = false
        if case .failed = outcome { failed = true }
        scheduler.resume(streamer: name, checkSoon: !failed)
        if let deadline = sessionDeadline(watch), let lastFrame = watch.lastFrameAt {
            if clock.now >= deadline {
                endSession(watch, reason: "stream ended")
            } else {
                let clock = clock
                Task { [weak self] in
                    try? await clock.sleep(until: deadline)
                    await self?.delayPassed(name, lastFrame: lastFrame)
                }
            }
        }
        startQueued()
    }

    private func finishRecording(_ watch: StreamerWatch, outcome: RecordingOutcome?) async {
        guard let recording = watch.recording else { return }
        counters.recordingEnded(watch.name, writtenBytes: recording.recording.status.writtenBytes)
        watch.recording = nil
        if case .failed(let error)? = outcome {
            watch.lastError = "recording failed: \(error)"
            publish(EngineEvent(.error, level: .error, streamer: watch.name, sessionId: watch.sessionId, message: "recording failed: \(error)"))
        }
    }

    /// A recording running now decides when it ends; one that wrote frames since `lastFrame` moved the deadline.
    private func delayPassed(_ name: String, lastFrame: Date) {
        guard let watch = watches[name], watch.recording == nil, watch.lastFrameAt == lastFrame else { return }
        endSession(watch, reason: "stream ended")
    }

    func endSession(_ watch: StreamerWatch, reason: String) {
        guard let sessionId = watch.sessionId else { return }
        watch.sessionId = nil
        watch.waitingSince = nil
        watch.lastFrameAt = nil
        watch.forced = false
        do { try store.closeSession(id: sessionId, at: clock.now, reason: reason) } catch {
            publish(EngineEvent(.error, level: .error, streamer: watch.name, sessionId: sessionId, message: "store: \(error)"))
        }
        let segments = (try? store.segments(sessionId: sessionId).filter { $0.state == .finished }) ?? []
        publish(EngineEvent(.streamEnd, streamer: watch.name, sessionId: sessionId, message: "session over: \(reason)",
                            data: ["reason": .string(reason), "segments": .array(segments.map { .string($0.path) })]))
        sessionEndedForUploads(sessionId)
    }

    func startQueued() {
        while recordingCount < config.global.maxRecordings, !queue.isEmpty {
            let name = queue.removeFirst()
            guard let watch = watches[name], let r = watch.pendingCheck else { continue }
            watch.pendingCheck = nil
            startRecording(watch, r)
        }
    }

    private func checkDisk() {
        let rule = diskGuard
        guard rule.isLow else { return }
        let running = watches.values.filter { $0.recording != nil }
        guard !running.isEmpty else { return }
        publish(EngineEvent(.error, level: .error, message: "free disk space is below min_free_disk (\(rule.minimumFreeBytes >> 20) MiB)\(queuedUploadNote): stopping \(running.count) recording(s); files are closed and kept"))
        for w in running { w.recording?.recording.stop() }
    }

    // MARK: Helpers

    var diskGuard: DiskGuard {
        DiskGuard(path: config.global.recordingsRoot, minimumFreeBytes: config.global.minFreeDiskBytes, reading: environment.freeDiskBytes)
    }

    func settings(for d: StreamerDeclaration) -> RecordingSettings {
        config.global.recording.overridden(by: d.overrides)
    }

    func publish(_ event: EngineEvent) {
        revision.add(1, ordering: .relaxed)
        var event = event
        if let name = event.streamer { event.streamerId = (watches[name] ?? retiring[name])?.streamerId }
        bus.publish(event)
    }

}

/// Check results go from the scheduler's thread to the engine actor; the scheduler exists before the
/// engine does, so it gets this forwarder and the engine plugs itself in at start.
private final class ResultForwarder: Sendable {
    let engine = Mutex<Engine?>(nil)

    func deliver(_ room: WatchedRoom, _ result: Result<CheckResult, ScriptError>) {
        guard let engine = engine.withLock({ $0 }) else { return }
        Task { await engine.checked(room, result) }
    }
}

private final class OutcomeBox: Sendable {
    let value = Mutex<RecordingOutcome?>(nil)
}
