import Foundation

/// Puts a packet's stream time on this process's wall clock, the clock chat messages are stamped with.
///
/// Each packet is marked when the demuxer hands it over. Network and demuxer buffering only ever delay a
/// packet, so the smallest `arrival − streamTime` seen lately is the best estimate of the offset between
/// the two clocks: the packet that came through with the least delay. A sliding window (of stream time)
/// lets the estimate follow a slow drift; HLS delivers in bursts, and the minimum picks each burst's
/// newest packet, the live edge. After a reconnect the repaired timestamps continue while wall time
/// jumped, so the window starts over.
///
/// Per packet this is one clock read and a few arithmetic operations on preallocated slots: the window is
/// kept as per-second minima in a ring, and only a file's opening (rare) scans it.
final class ArrivalClock {
    /// Stream time the minimum is taken over.
    static let windowMicros: Int64 = 20_000_000
    static let bucketMicros: Int64 = 1_000_000
    /// The window's buckets and the one filling now.
    private static let slotCount = Int(windowMicros / bucketMicros) + 1

    /// The stream-time bucket each slot holds (`Int64.min`: empty).
    private var slotBucket: [Int64]
    /// Per slot, the smallest `arrival − streamTime` in seconds.
    private var slotMinimum: [Double]
    private var newestBucket = Int64.min
    /// When the packet being processed arrived: seconds since the reference date, as `Date` counts them.
    private(set) var lastArrival: Double = 0
    /// How many times the clock started over: an instant measured before a reset and one measured after
    /// are on different timelines.
    private(set) var resets = 0

    init() {
        slotBucket = Array(repeating: .min, count: Self.slotCount)
        slotMinimum = Array(repeating: 0, count: Self.slotCount)
    }

    /// The demuxer just returned a packet.
    @inline(__always)
    func mark() {
        lastArrival = Date.timeIntervalSinceReferenceDate
    }

    /// For tests: a packet arrived at `arrival` (seconds since the reference date).
    func mark(at arrival: Double) {
        lastArrival = arrival
    }

    /// The packet last marked (or one it produced) has this stream time.
    @inline(__always)
    func observe(streamMicros us: Int64) {
        let bucket = us >= 0 ? us / Self.bucketMicros : (us + 1) / Self.bucketMicros - 1
        if bucket > newestBucket {
            newestBucket = bucket
        } else if bucket <= newestBucket - Int64(Self.slotCount) {
            return  // older than the window: its slot now belongs to a newer second
        }
        let difference = lastArrival - Double(us) * 1e-6
        let slot = Int(bucket % Int64(Self.slotCount) + Int64(Self.slotCount)) % Self.slotCount
        if slotBucket[slot] != bucket {
            slotBucket[slot] = bucket
            slotMinimum[slot] = difference
        } else if difference < slotMinimum[slot] {
            slotMinimum[slot] = difference
        }
    }

    /// The input changed (a reconnect): arrivals from before say nothing about the new timeline.
    func reset() {
        for i in slotBucket.indices { slotBucket[i] = .min }
        newestBucket = .min
        resets += 1
    }

    /// The smallest `arrival − streamTime` over the window, in seconds; nil before any packet.
    var offset: Double? {
        guard newestBucket != .min else { return nil }
        var best: Double?
        for i in slotBucket.indices where slotBucket[i] != .min && slotBucket[i] > newestBucket - Int64(Self.slotCount) {
            best = min(best ?? slotMinimum[i], slotMinimum[i])
        }
        return best
    }

    /// The instant a packet of stream time `us` belongs to; nil before any packet.
    func instant(streamMicros us: Int64) -> Date? {
        offset.map { Date(timeIntervalSinceReferenceDate: Double(us) * 1e-6 + $0) }
    }

    /// A file whose first frame has stream time `us` and arrived at `arrival`: the instant that frame
    /// belongs to, and how long after it the frame arrived.
    func origin(streamMicros us: Int64, arrival: Double) -> (firstFrameAt: Date, arrivalLag: Double) {
        let offset = self.offset ?? (arrival - Double(us) * 1e-6)
        let at = Double(us) * 1e-6 + offset
        return (Date(timeIntervalSinceReferenceDate: at), max(0, arrival - at))
    }
}
