import Foundation

/// What a chat stand-in saw of its clients, for tests to assert on: every connection's request,
/// registrations accepted or refused (and why), heartbeats answered, PONGs and acks received, and
/// protocol errors in the client's framing.
public struct ChatStandInReport: Sendable {
    /// The upgrade request (or first HTTP request) of each connection: path with query, headers
    /// lowercased. Empty for raw TCP.
    public var requests: [(path: String, headers: [String: String])] = []
    public var connections = 0
    /// Registrations that matched what the platform expects.
    public var registrations = 0
    /// Why registrations were refused (the connection was closed then, as the platform does).
    public var refusals: [String] = []
    /// Client heartbeats answered.
    public var heartbeats = 0
    /// PONGs to the stand-in's PINGs (Twitch).
    public var pongs = 0
    /// Acks received, as the stand-in reads them (Douyin: `logId/internalExt`).
    public var acks: [String] = []
    /// Acks the stand-in asked for (Douyin: frames sent with needAck).
    public var acksRequested: [String] = []
    /// Client frames the stand-in could not read, and WebSocket framing errors.
    public var protocolErrors: [String] = []
    /// Faults fired, in order.
    public var faults: [ChatFault.Kind] = []
}

/// A stand-in's report behind a lock, written from its connection threads.
final class ChatStandInLog: @unchecked Sendable {
    private let lock = NSLock()
    private var report = ChatStandInReport()

    var snapshot: ChatStandInReport { lock.withLock { report } }

    func update(_ change: (inout ChatStandInReport) -> Void) {
        lock.withLock { change(&report) }
    }

    func connected(path: String, headers: [String: String]) {
        update {
            $0.connections += 1
            $0.requests.append((path, headers))
        }
    }

    func refused(_ reason: String) { update { $0.refusals.append(reason) } }
    func registered() { update { $0.registrations += 1 } }
    func heartbeat() { update { $0.heartbeats += 1 } }
    func protocolError(_ problem: String) { update { $0.protocolErrors.append(problem) } }
    func fault(_ kind: ChatFault.Kind) { update { $0.faults.append(kind) } }
}

/// The common surface of the chat stand-ins, for tests and the `chat-standin` tool.
public protocol ChatStandIn: AnyObject, Sendable {
    /// The protocol name plugins use (`bilibili`, `douyu`…).
    var platform: String { get }
    /// The chat URL as the platform names it (what a plugin's `danmaku` step returns).
    var chatURL: String { get }
    /// `HOST=BASE` rules sending the platform's chat hosts here (`http://` bases: plain ws/tcp).
    var remapRules: [String] { get }
    /// Messages handed to clients so far, in order, across connections.
    var sent: [StandInChatMessage] { get }
    var report: ChatStandInReport { get }
    func stop()
}

extension ChatStandIn {
    /// Blocks (polling) until `condition` holds or `timeout` passes; returns whether it held. The
    /// timeout is a hang guard, not a performance bound.
    public func wait(timeout: Duration = .seconds(120), until condition: (Self) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(self) { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition(self)
    }
}

/// A seeded generator, so a stand-in's garbage is the same bytes on every run.
struct StandInRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = StandInRandom(seed: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
    }
}
