import Foundation

/// Puts stream time on the origin's clock where an HLS playlist stamps its segments
/// (EXT-X-PROGRAM-DATE-TIME): the wall-clock time the origin gives a segment's first sample.
///
/// The source says at which byte of the stream such a segment begins; the first packet written from
/// that byte on (by the demuxer's packet position) ties the stamp to a stream time. Later frames are
/// placed from the newest such anchor, so a stamp that drifts is followed segment by segment.
final class ProgramDateClock {
    /// Stamps announced by the source whose bytes no written packet has reached yet, in byte order.
    private var pending: [(byte: Int64, date: Date)] = []
    private var anchor: (micros: Int64, date: Date)?

    /// A segment stamped `date` begins at byte `byte` of the stream the demuxer reads now.
    func expect(_ date: Date, atByte byte: Int64) {
        pending.append((byte, date))
    }

    /// A packet read from byte `byte` (negative: unknown) is written with stream time `us`.
    @inline(__always)
    func observe(byte: Int64, streamMicros us: Int64) {
        guard let first = pending.first, byte >= first.byte else { return }
        var date = first.date
        var taken = 1
        while taken < pending.count, byte >= pending[taken].byte {
            date = pending[taken].date
            taken += 1
        }
        pending.removeFirst(taken)
        anchor = (us, date)
    }

    /// A new demuxer (byte positions start again) or a reconnect (a new timeline).
    func reset() {
        pending.removeAll()
        anchor = nil
    }

    /// The origin's time of the frame with stream time `us`; nil until a stamped segment was written.
    func date(streamMicros us: Int64) -> Date? {
        anchor.map { $0.date.addingTimeInterval(Double(us - $0.micros) * 1e-6) }
    }
}
