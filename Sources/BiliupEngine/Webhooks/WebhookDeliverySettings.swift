import BiliupNet

/// How deliveries are made: the network rules every outgoing request of the engine follows, and the
/// limits of retrying and queueing. Tests shorten the waits; production keeps the defaults.
struct WebhookDeliverySettings: Sendable {
    /// The waits before the second, third and fourth try: four tries over about 21 s ride out a
    /// receiver's restart without holding an event for long.
    var retryDelays: [Duration] = [.seconds(1), .seconds(4), .seconds(16)]
    /// Per try, connecting included: a receiver is expected to answer at once and work afterwards.
    var timeout: Duration = .seconds(10)
    /// Events waiting per webhook; beyond it the oldest waiting one is dropped (and counted). A stalled
    /// receiver then holds at most this many events in memory and never slows the bus.
    var queueLimit = 256
    /// A receiver's answer is read only for its status; anything longer is cut off, not buffered.
    var maxAnswerBytes = 64 << 10
    /// At shutdown, how long what is queued (the `stream_end` of the recordings being closed) may take
    /// to go out before the rest is dropped: a stop must not wait for receivers that are down.
    var shutdownGrace: Duration = .seconds(3)
    /// How waits between tries pass (tests: a clock of their own).
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
}

/// Where requests go: the same host remap and proxy as the plugins' requests, and
/// `block_private_addresses` read at every try (after DNS, by libcurl's open-socket guard).
struct WebhookNetwork: Sendable {
    var hostRemap = HostRemap()
    var proxy: String?
    var addressPolicy = AddressPolicy()
}
