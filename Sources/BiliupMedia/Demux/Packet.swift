import CFFmpeg

/// One compressed frame. Owns an AVPacket whose data buffer is reference counted, so handing it from
/// demuxer to muxer never copies the payload. Timestamps are in the track's time base.
public final class Packet {
    public let av: UnsafeMutablePointer<AVPacket>

    public init() { av = av_packet_alloc()! }

    /// Takes over the contents of `src` (which is left blank), as `av_read_frame` hands them out.
    public init(moving src: UnsafeMutablePointer<AVPacket>) {
        av = av_packet_alloc()!
        av_packet_move_ref(av, src)
    }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = av
        av_packet_free(&p)
    }

    public var track: Int {
        get { Int(av.pointee.stream_index) }
        set { av.pointee.stream_index = Int32(newValue) }
    }
    public var dts: Int64 {
        get { av.pointee.dts }
        set { av.pointee.dts = newValue }
    }
    public var pts: Int64 {
        get { av.pointee.pts }
        set { av.pointee.pts = newValue }
    }
    public var duration: Int64 { av.pointee.duration }
    public var size: Int { Int(av.pointee.size) }
    /// Byte offset in the demuxer's input where the packet began; -1 when unknown.
    public var position: Int64 { av.pointee.pos }
    public var isKeyframe: Bool { av.pointee.flags & AV_PKT_FLAG_KEY != 0 }
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: av.pointee.data, count: size) }
}

/// What a demuxer hands out next.
public enum PacketRead {
    case packet(Packet)
    /// From now on packets are described by these tracks (codec headers changed mid-stream).
    case tracksChanged([Track])
    /// This input is over: `.end` (source finished), `.boundary` (reopen on the same source), or failed.
    case finished(SourceRead)
}

/// A demuxer over one input.
public protocol PacketSource: AnyObject {
    var tracks: [Track] { get }
    func next() -> PacketRead
    /// Name of the container read, for reports ("flv", "mpegts", "mov,mp4,...").
    var formatName: String { get }
}
