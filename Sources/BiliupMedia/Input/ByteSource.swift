import Foundation

/// What a byte source tells its reader besides data.
public enum SourceRead: Sendable {
    case bytes(Int)
    /// The source ended normally (HTTP body finished, HLS ENDLIST reached).
    case end
    /// The bytes so far form one stream and the next bytes start another (HLS discontinuity or a new
    /// EXT-X-MAP): the reader closes its demuxer and opens a new one on the same source.
    case boundary(String)
    case failed(MediaError)
}

/// Something the source noticed that belongs in the recording's integrity report.
public enum SourceNote: Sendable, Equatable {
    /// HLS media sequence numbers skipped: segments were missed.
    case sequenceGap(from: Int, to: Int)
    case segmentFailed(uri: String, reason: String)
    case discontinuity
    /// An HLS segment stamped with EXT-X-PROGRAM-DATE-TIME begins at this byte of the stream read now
    /// (counted from the last boundary).
    case programDateTime(Date, atByte: Int64)
}

/// A blocking byte stream read by one demux thread.
public protocol ByteSource: AnyObject {
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> SourceRead
    /// Bytes received from the network so far.
    var receivedBytes: Int64 { get }
    /// Stops the source; a blocked `read` returns `.failed(.cancelled)` soon after.
    func cancel()
}
