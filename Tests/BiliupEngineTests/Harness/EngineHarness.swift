@testable import BiliupEngine
import BiliupScript
import BiliupStore
import Foundation
import Synchronization
import Testing

/// A real Engine over a real Store (SQLite in a temporary folder) and the real scheduler, with a fake
/// platform (`FakeRooms`), scripted recordings, a manual clock and a free-space reading the test sets.
/// Checks run on real time (every `checkInterval`); every session decision reads the manual clock.
final class EngineHarness: Sendable {
    let dir: URL
    let store: Store
    let bus = EventBus()
    let clock = ManualClock()
    let rooms = FakeRooms()
    let recordings: ScriptedRecordings
    let engine: Engine
    let config: OrchestrationConfig
    /// What the engine reads as free bytes where recordings go.
    let freeDiskBytes = Shared<Int64>(100 << 30)
    private let published = Shared<[EngineEvent]>([])

    /// Seconds between checks of a room, on real time: short, so a test waits little for the next check.
    static let checkInterval = 0.1
    /// `delay`, on the manual clock.
    static let delay = 60.0
    static let minFreeDiskBytes: Int64 = 1 << 30

    /// Bilibili as the engine's uploader sees it: records calls, fails or holds when told.
    let uploader: FakeUploader

    /// `reusing`: the same folder and store as an earlier harness (a restart of the process).
    init(_ streamers: [StreamerDeclaration], templates: [TemplateDeclaration] = [], maxRecordings: Int = 50,
         reusing earlier: EngineHarness? = nil) throws {
        if let earlier {
            dir = earlier.dir
            store = earlier.store
        } else {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-engine-tests/\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            store = try Store(path: dir.appendingPathComponent("biliup.sqlite3").path)
        }
        uploader = FakeUploader(clock: clock)
        recordings = ScriptedRecordings(root: dir.appendingPathComponent("rec").path)
        var global = GlobalOptions()
        global.dataDir = dir.path
        global.recordingsRoot = dir.appendingPathComponent("rec").path
        global.recording.checkInterval = Self.checkInterval
        global.recording.delay = Self.delay
        global.recording.minSegmentBytes = 0
        global.maxRecordings = maxRecordings
        global.minFreeDiskBytes = Self.minFreeDiskBytes
        config = OrchestrationConfig(file: dir.appendingPathComponent("main.lua").path, global: global, templates: templates, streamers: streamers)
        let free = freeDiskBytes
        let environment = EngineEnvironment(clock: clock, launchRecording: recordings.launcher,
                                            freeDiskBytes: { _ in free.value }, uploader: uploader)
        engine = Engine(config: config, store: store, checker: rooms, bus: bus, rates: PlatformRates(defaultPerSecond: 200),
                        environment: environment)
    }

    /// Streamers watching `test://fake/<name>`.
    static func streamers(_ names: String...) -> [StreamerDeclaration] {
        names.map { StreamerDeclaration(name: $0, urls: [FakeRooms.url($0)]) }
    }

    func start() async throws {
        let events = bus.subscribe()
        Task { [published] in
            for await event in events { published.change { $0.append(event) } }
        }
        try await engine.start()
    }

    /// Stops the engine; recordings a test left holding on stop end, so a failed test cannot hang the run.
    func stop() async {
        recordings.releaseAll()
        await engine.stop()
    }

    /// The events delivered so far. The bus delivers on a task of its own, so an event published just
    /// before a state the test waited on may not be here yet: `settled()` waits for those.
    var events: [EngineEvent] { published.value }

    /// Waits until every event published so far has been delivered: a marker sent through the bus
    /// arrives behind them.
    func settled() async {
        let marker = "settled \(UUID().uuidString)"
        bus.publish(EngineEvent(.state, level: .debug, message: marker))
        await until("the events published so far delivered") { published.value.contains { $0.message == marker } }
    }

    func events(_ kind: EngineEvent.Kind, _ streamer: String) -> [EngineEvent] {
        events.filter { $0.kind == kind && $0.streamer == streamer }
    }

    func said(_ streamer: String, _ words: String) -> Bool {
        events.contains { $0.streamer == streamer && $0.message.contains(words) }
    }

    func sessions(_ streamer: String) throws -> [SessionRecord] {
        try store.sessions().filter { $0.streamerName == streamer }.sorted { $0.id! < $1.id! }
    }

    func id(_ streamer: String) throws -> Int64 {
        try #require(try store.streamer(named: streamer)?.id)
    }

    func phase(_ streamer: String) async -> StreamerPhase {
        await engine.runtime(named: streamer).phase
    }

    /// Waits (on real time, generously) for `condition` (a throw counts as not yet); records an issue
    /// naming `what` if it never holds. The limit only keeps a broken engine from hanging the run.
    func until(_ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool) async {
        let end = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < end {
            if (try? await condition()) == true { return }
            try? await Task.sleep(for: .milliseconds(10))
        }
        if (try? await condition()) == true { return }
        Issue.record("never happened: \(what)", sourceLocation: sourceLocation)
    }

    /// The `n`th recording of `streamer` (1-based), once the engine has started it.
    func recording(_ streamer: String, _ n: Int = 1, sourceLocation: SourceLocation = #_sourceLocation) async throws -> ScriptedRecording {
        await until("recording \(n) of \(streamer)", sourceLocation: sourceLocation) { recordings.of(streamer).count >= n }
        return try #require(recordings.of(streamer).dropFirst(n - 1).first, sourceLocation: sourceLocation)
    }

    /// Waits until `room` has been checked `times` more times: the engine has had the earlier results by
    /// then (a room's next check starts only after its last one reported), so "nothing happened" is
    /// asserted after the engine saw it, not after a sleep.
    func checked(_ room: String, times: Int = 3) async {
        let from = rooms.checkCount(room)
        await until("\(times) more checks of \(room)") { rooms.checkCount(room) >= from + times }
    }
}

/// A value the test and the engine's tasks share.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    var value: Value {
        get { mutex.withLock { $0 } }
        set { mutex.withLock { $0 = newValue } }
    }
    func change(_ body: (inout Value) -> Void) { mutex.withLock { body(&$0) } }
}
