/// Writes one output file. Packets arrive with timestamps already rebased so the segment starts at 0,
/// in their track's time base, monotonic per track, the first video packet a keyframe.
public protocol SegmentMuxer: AnyObject {
    /// Creates the file at `path` and writes the container header for `tracks`.
    init(path: String, tracks: [Track]) throws(MediaError)
    func write(_ packet: Packet) throws(MediaError)
    /// Writes the trailer and closes the file. The file is complete and playable afterwards.
    func finish() throws(MediaError)
    /// Bytes handed to the file so far.
    var bytesWritten: Int64 { get }
}
