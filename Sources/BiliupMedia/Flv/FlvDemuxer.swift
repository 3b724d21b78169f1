import CFFmpeg

/// Reads HTTP-FLV (and FLV files) without libavformat: tag by tag from a ByteSource, one copy per payload
/// byte at most (source → packet memory; small tags pass through the reused read buffer on the way).
///
/// Tracks are video first (index 0), then audio, in milliseconds (time base 1/1000). Video: H.264 (codec
/// id 7), HEVC (codec id 12, the layout Chinese CDNs use) and Enhanced FLV `avc1`/`hvc1`; extradata is the
/// decoder configuration record, the picture size comes from the first keyframe. Audio: AAC (extradata =
/// AudioSpecificConfig) and MP3.
public final class FlvDemuxer: PacketSource {
    public private(set) var tracks: [Track] = []
    public var formatName: String { "flv" }
    /// Payload bytes copied from the read buffer into packets (large payloads are read into the packet
    /// directly and are not counted).
    public private(set) var copiedBytes: Int64 = 0
    /// Tags whose PreviousTagSize field did not match the tag before: common from CDNs and harmless,
    /// since we never seek backwards; counted for the report.
    public private(set) var previousTagSizeMismatches = 0
    /// Tags skipped because we cannot use them: unsupported codecs or packet types, encrypted tags,
    /// malformed codec headers.
    public private(set) var skippedTags = 0
    /// Frames dropped because no codec header described them yet (or they came between a changed header
    /// and its first keyframe).
    public private(set) var droppedFrames = 0
    /// The source ended inside a tag; that tag was dropped.
    public private(set) var truncatedTail = false

    /// Larger tags are corruption (the biggest 4K keyframes are a few MiB).
    static let maxTagDataBytes = 16 << 20
    /// Codec configuration records are a few dozen bytes; more is corruption.
    static let maxSequenceHeaderBytes = 1 << 20
    /// Start-up: once media tags of only one kind span this much, the stream has only that kind.
    static let probeSpanMs: Int64 = 1_500
    static let probeMediaBytes: Int64 = 3_000_000
    /// Start-up: after a video header, how long to wait for the keyframe that gives the picture size
    /// (one GOP; frames before it are undecodable and dropped, so only audio is held meanwhile).
    static let keyframeWaitMs: Int64 = 10_000
    static let keyframeWaitBytes: Int64 = 16 << 20
    /// Start-up: give up when this much arrived without any usable codec header.
    static let maxHeaderlessBytes: Int64 = 16 << 20
    static let timeBase = AVRational(num: 1, den: 1000)

    private let reader: FlvTagParser
    private var video: FlvVideoConfig?
    /// A video header that differs from `video`, waiting for its first keyframe (picture size).
    private var pendingVideo: FlvVideoConfig?
    private var audio: FlvAudioConfig? {
        didSet { audioFrameDurationMs = audio?.frameDurationMs ?? 0 }
    }
    private var audioFrameDurationMs: Int64 = 0
    /// The FLV flags byte the current MP3 config was made from.
    private var mp3Flags: UInt8 = 0
    /// The configs changed since `tracks` were made: hand out new tracks before the next packet.
    private var tracksDirty = false
    private var started = false
    private var videoIndex = -1
    private var audioIndex = -1
    private var expectedPreviousTagSize: UInt32 = 0
    private var finishedWith: SourceRead?

    private enum Item {
        case packet(Packet, video: Bool)
        case tracks([Track], video: Int, audio: Int)
    }
    /// Start-up packets, and a `.tracks` item followed by the packet that triggered it.
    private var queue: [Item?] = []
    private var queueHead = 0

    private var firstMediaTimestamp: Int64?
    private var lastMediaTimestamp: Int64 = 0
    private var mediaBytes: Int64 = 0

    /// Reads the FLV header and the tags up to where the tracks are known. A failing source throws its
    /// error; a stream that is no FLV throws `.notAStream` (text, HTML) or `.invalidFLV`.
    public init(source: ByteSource) throws(MediaError) {
        reader = FlvTagParser(source: source)
        try readHeader()
        try probe()
    }

    public func next() -> PacketRead {
        while true {
            if queueHead < queue.count {
                let item = queue[queueHead]!
                queue[queueHead] = nil
                queueHead += 1
                if queueHead == queue.count {
                    queue.removeAll(keepingCapacity: queue.count <= 64)
                    queueHead = 0
                }
                switch item {
                case .packet(let p, let isVideo):
                    p.av.pointee.stream_index = Int32(isVideo ? videoIndex : audioIndex)
                    return .packet(p)
                case .tracks(let t, let v, let a):
                    tracks = t
                    videoIndex = v
                    audioIndex = a
                    return .tracksChanged(t)
                }
            }
            if let end = finishedWith { return .finished(end) }
            step()
        }
    }

    // MARK: - Header and start-up

    private func readHeader() throws(MediaError) {
        let r = reader
        let complete = r.fill(9)
        if !complete, case .failed(let e)? = r.endReason { throw e }
        let n = r.available
        if n == 0 { throw .demux("stream ended before its first byte") }
        let signature: [UInt8] = [0x46, 0x4C, 0x56]  // "FLV"
        for i in 0..<min(n, 3) where r.byte(i) != signature[i] { throw notFLV() }
        guard complete else { throw .invalidFLV("stream ended after \(n) bytes, inside the 9-byte FLV header") }
        let dataOffset = be32(r.bytes + 5)
        guard dataOffset >= 9 && dataOffset <= 1 << 16 else {
            throw .invalidFLV("header: data offset \(dataOffset), expected 9")
        }
        r.consume(9)
        if dataOffset > 9 && !r.skip(Int(dataOffset) - 9) {
            if case .failed(let e)? = r.endReason { throw e }
            throw .invalidFLV("stream ended inside the \(dataOffset)-byte FLV header")
        }
    }

    /// Names what the bytes are instead: a web page and JSON errors are common answers from CDNs.
    private func notFLV() -> MediaError {
        let r = reader
        _ = r.fill(64)
        let n = min(r.available, 64)
        let head = UnsafeRawBufferPointer(start: r.bytes, count: n)
        // What came is described, never quoted: the URL may be another service's (see `ResponseSummary`).
        let isText = !head.contains { ($0 < 0x20 && $0 != 9 && $0 != 10 && $0 != 13) || $0 == 0x7F }
        guard isText else { return .invalidFLV("header: expected \"FLV\", got other binary data") }
        var text = Substring(String(decoding: head, as: UTF8.self))
        while let c = text.first, c.isWhitespace || c == "\u{FEFF}" { text = text.dropFirst() }
        let lower = text.prefix { $0 != "\n" && $0 != "\r" }.lowercased()
        if lower.hasPrefix("<!doctype html") || lower.hasPrefix("<html") || lower.hasPrefix("<head") {
            return .notAStream("the server sent an HTML page")
        }
        if lower.hasPrefix("#extm3u") { return .notAStream("the server sent an HLS playlist, not FLV") }
        if lower.hasPrefix("{") || lower.hasPrefix("[") { return .notAStream("the server sent JSON, not FLV") }
        return .notAStream("the server sent text, not FLV")
    }

    /// Reads tags until the tracks are known (see the `probe*` and `keyframeWait*` limits).
    private func probe() throws(MediaError) {
        while !started {
            step()
            if let end = finishedWith {
                if case .failed(let e) = end { throw e }
                if video == nil && audio == nil {
                    let total = reader.offset + Int64(reader.available)
                    let missing = pendingVideo != nil ? "the first video keyframe" : "any audio or video codec header"
                    throw .demux("stream ended after \(total) bytes, before \(missing)")
                }
                finalizeTracks()
                return
            }
            if started { return }  // a header changed during start-up: the first one was taken
            if try probeComplete() { finalizeTracks() }
        }
    }

    private func probeComplete() throws(MediaError) -> Bool {
        let haveVideo = video != nil, haveAudio = audio != nil
        if haveVideo && haveAudio { return true }
        let span = firstMediaTimestamp.map { lastMediaTimestamp - $0 } ?? 0
        if pendingVideo != nil {
            if span < FlvDemuxer.keyframeWaitMs && mediaBytes < FlvDemuxer.keyframeWaitBytes { return false }
            if haveAudio { return true }
            throw .invalidFLV("no video keyframe within \(span) ms after the video sequence header")
        }
        if span < FlvDemuxer.probeSpanMs && mediaBytes < FlvDemuxer.probeMediaBytes { return false }
        if haveVideo || haveAudio { return true }
        if reader.offset > FlvDemuxer.maxHeaderlessBytes {
            throw .invalidFLV("no audio or video codec header in the first \(reader.offset) bytes")
        }
        return false
    }

    private func finalizeTracks() {
        let (t, v, a) = makeTracks()
        tracks = t
        videoIndex = v
        audioIndex = a
        tracksDirty = false
        started = true
    }

    private func makeTracks() -> ([Track], Int, Int) {
        var list: [Track] = []
        var v = -1, a = -1
        if let video {
            v = list.count
            list.append(Track(index: v, owning: FlvCodecConfig.parameters(video: video), timeBase: FlvDemuxer.timeBase))
        }
        if let audio {
            a = list.count
            list.append(Track(index: a, owning: FlvCodecConfig.parameters(audio: audio), timeBase: FlvDemuxer.timeBase))
        }
        return (list, v, a)
    }

    @inline(__always) private func noteMedia(_ tag: FlvTagParser.TagHeader) {
        guard !started else { return }
        if firstMediaTimestamp == nil { firstMediaTimestamp = tag.timestamp }
        lastMediaTimestamp = max(lastMediaTimestamp, tag.timestamp)
        mediaBytes += Int64(tag.dataSize)
    }

    // MARK: - Tags

    /// Reads one tag; queues what it yields, or sets `finishedWith`.
    private func step() {
        let r = reader
        guard r.fill(FlvTagParser.tagHeaderBytes) else {
            // Nothing, or just the last PreviousTagSize: a clean end.
            return sourceEnded(insideTag: r.available != 0 && r.available != 4)
        }
        let tag = r.tagHeader()
        if tag.previousTagSize != expectedPreviousTagSize { previousTagSizeMismatches += 1 }
        let rawType = r.rawTagType
        guard rawType & 0xC0 == 0, tag.type == 8 || tag.type == 9 || tag.type == 18 else {
            return corrupt(tag, "unknown tag type \(rawType)")
        }
        guard tag.dataSize <= FlvDemuxer.maxTagDataBytes else {
            return corrupt(tag, "data size \(tag.dataSize) is over the \(FlvDemuxer.maxTagDataBytes >> 20) MiB limit")
        }
        r.consume(FlvTagParser.tagHeaderBytes)
        expectedPreviousTagSize = UInt32(tag.dataSize + 11)
        if tag.type == 18 || tag.dataSize == 0 { return skip(tag, counted: false) }  // onMetaData etc.
        if tag.filtered { return skip(tag, counted: true) }
        guard r.fill(min(tag.dataSize, 8)) else { return sourceEnded(insideTag: true) }
        if tag.type == 9 { videoTag(tag) } else { audioTag(tag) }
    }

    private func videoTag(_ tag: FlvTagParser.TagHeader) {
        let r = reader
        let n = tag.dataSize
        let b0 = r.byte(0)
        let codec: FlvVideoCodec
        let frameType: UInt8
        var headerBytes = 5
        var compositionTime: Int32 = 0
        if b0 & 0x80 != 0 {
            // Enhanced RTMP/FLV: frame type, packet type, FourCC.
            frameType = (b0 >> 4) & 7
            guard n >= 5 else { return skip(tag, counted: true) }
            switch be32(r.bytes + 1) {
            case 0x6176_6331: codec = .h264  // "avc1"
            case 0x6876_6331: codec = .hevc  // "hvc1"
            default: return skip(tag, counted: true)
            }
            if frameType == 5 { return skip(tag, counted: false) }  // command frame
            switch b0 & 0x0F {
            case 0: return videoHeader(tag, codec: codec, headerBytes: 5)  // SequenceStart
            case 1:  // CodedFrames, with composition time
                guard n >= 8 else { return skip(tag, counted: true) }
                compositionTime = si24(r.bytes + 5)
                headerBytes = 8
            case 3: break  // CodedFramesX: composition time 0
            case 2: return skip(tag, counted: false)  // SequenceEnd
            default: return skip(tag, counted: true)  // metadata, MPEG-2 TS start, multitrack
            }
        } else {
            frameType = b0 >> 4
            switch b0 & 0x0F {
            case 7: codec = .h264
            case 12: codec = .hevc
            default: return skip(tag, counted: true)
            }
            if frameType == 5 { return skip(tag, counted: false) }
            guard n >= 5 else { return skip(tag, counted: true) }
            switch r.byte(1) {
            case 0: return videoHeader(tag, codec: codec, headerBytes: 5)
            case 1: compositionTime = si24(r.bytes + 2)
            default: return skip(tag, counted: false)  // end of sequence
            }
        }
        noteMedia(tag)
        let key = frameType == 1
        if let pending = pendingVideo {
            guard key, pending.codec == codec else { droppedFrames += 1; return skip(tag, counted: false) }
            guard let p = readPacket(tag, headerBytes: headerBytes, key: true, compositionTime: compositionTime) else { return }
            guard let size = FlvCodecConfig.dimensions(codec: codec, record: pending.record,
                                                       frame: p.av.pointee.data, count: p.size) else {
                droppedFrames += 1
                return
            }
            var config = pending
            config.width = size.width
            config.height = size.height
            video = config
            pendingVideo = nil
            tracksDirty = true
            return enqueue(p, video: true)
        }
        guard let current = video, current.codec == codec else { droppedFrames += 1; return skip(tag, counted: false) }
        guard let p = readPacket(tag, headerBytes: headerBytes, key: key, compositionTime: compositionTime) else { return }
        enqueue(p, video: true)
    }

    /// An AVC/HEVC sequence header: new ones wait for their keyframe, repeated ones are skipped.
    private func videoHeader(_ tag: FlvTagParser.TagHeader, codec: FlvVideoCodec, headerBytes: Int) {
        let r = reader
        let size = tag.dataSize - headerBytes
        guard size <= FlvDemuxer.maxSequenceHeaderBytes else { return corrupt(tag, "video sequence header of \(size) bytes") }
        guard r.fill(tag.dataSize) else { return sourceEnded(insideTag: true) }
        defer { r.consume(tag.dataSize) }
        let p = r.bytes + headerBytes
        guard size >= codec.minRecordBytes, validRecord(p, codec) else {
            skippedTags += 1  // empty headers are sent by some CDNs at the end of a stream
            return
        }
        noteMedia(tag)
        if let current = video, current.sameRecord(p, size, codec: codec) {
            pendingVideo = nil  // repeated (or back to the current one before its successor got a keyframe)
            return
        }
        if let pending = pendingVideo, pending.sameRecord(p, size, codec: codec) { return }
        if !started && video != nil { finalizeTracks() }  // changed during start-up: start with the first
        pendingVideo = FlvVideoConfig(codec: codec, record: Array(UnsafeRawBufferPointer(start: p, count: size)))
    }

    private func validRecord(_ p: UnsafeRawPointer, _ codec: FlvVideoCodec) -> Bool {
        let b0 = p.load(as: UInt8.self)
        if codec == .h264 { return b0 == 1 }
        // hvcC configurationVersion is 1, though some encoders wrote 0; Annex B start codes are not a record.
        return b0 == 1 || (b0 == 0 && (p.load(fromByteOffset: 1, as: UInt8.self) != 0
                                       || p.load(fromByteOffset: 2, as: UInt8.self) > 1))
    }

    private func audioTag(_ tag: FlvTagParser.TagHeader) {
        let r = reader
        let n = tag.dataSize
        let flags = r.byte(0)
        switch flags >> 4 {
        case 10:  // AAC
            guard n >= 2 else { return skip(tag, counted: true) }
            switch r.byte(1) {
            case 0: return aacHeader(tag, flags: flags)
            case 1:
                noteMedia(tag)
                guard audio?.codec == .aac else { droppedFrames += 1; return skip(tag, counted: false) }
                guard let p = readPacket(tag, headerBytes: 2, key: true, compositionTime: 0) else { return }
                p.av.pointee.duration = audioFrameDurationMs
                enqueue(p, video: false)
            default: return skip(tag, counted: true)
            }
        case 2, 14:  // MP3, MP3 8 kHz
            guard n >= 2 else { return skip(tag, counted: true) }
            noteMedia(tag)
            if audio?.codec != .mp3 || mp3Flags != flags {
                let config = FlvCodecConfig.mp3(frame: r.bytes + 1, count: min(n - 1, 4), flvFlags: flags)
                mp3Flags = flags
                if config != audio {
                    if !started && audio != nil { finalizeTracks() }
                    audio = config
                    tracksDirty = true
                }
            }
            guard let p = readPacket(tag, headerBytes: 1, key: true, compositionTime: 0) else { return }
            p.av.pointee.duration = audioFrameDurationMs
            enqueue(p, video: false)
        default:
            skip(tag, counted: true)
        }
    }

    private func aacHeader(_ tag: FlvTagParser.TagHeader, flags: UInt8) {
        let r = reader
        let size = tag.dataSize - 2
        guard size <= FlvDemuxer.maxSequenceHeaderBytes else { return corrupt(tag, "audio sequence header of \(size) bytes") }
        guard r.fill(tag.dataSize) else { return sourceEnded(insideTag: true) }
        defer { r.consume(tag.dataSize) }
        let p = r.bytes + 2
        noteMedia(tag)
        if let current = audio, current.sameRecord(p, size) { return }
        guard let config = FlvCodecConfig.aac(record: p, count: size, flvFlags: flags) else {
            skippedTags += 1
            return
        }
        if !started && audio != nil { finalizeTracks() }
        audio = config
        tracksDirty = true
    }

    /// The tag's payload as a packet: one copy from the read buffer, or a direct read for large ones.
    private func readPacket(_ tag: FlvTagParser.TagHeader, headerBytes: Int, key: Bool, compositionTime: Int32) -> Packet? {
        let size = tag.dataSize - headerBytes
        guard size > 0 else {
            droppedFrames += 1
            skip(tag, counted: false)
            return nil
        }
        reader.consume(headerBytes)
        let p = Packet()
        guard av_new_packet(p.av, Int32(size)) >= 0 else {
            finishedWith = .failed(.demux("out of memory for a \(size)-byte packet"))
            return nil
        }
        guard let copied = reader.take(size, into: p.av.pointee.data) else {
            sourceEnded(insideTag: true)
            return nil
        }
        copiedBytes += Int64(copied)
        let av = p.av
        av.pointee.dts = tag.timestamp
        av.pointee.pts = tag.timestamp + Int64(compositionTime)
        if key { av.pointee.flags |= AV_PKT_FLAG_KEY }
        av.pointee.pos = tag.offset
        av.pointee.time_base = FlvDemuxer.timeBase
        return p
    }

    @inline(__always) private func enqueue(_ p: Packet, video: Bool) {
        if tracksDirty && started {
            let (t, v, a) = makeTracks()
            queue.append(.tracks(t, video: v, audio: a))
            tracksDirty = false
        }
        queue.append(.packet(p, video: video))
    }

    /// Skips the rest of the current tag (its 15 header bytes are consumed already).
    private func skip(_ tag: FlvTagParser.TagHeader, counted: Bool) {
        if counted { skippedTags += 1 }
        let left = Int(Int64(tag.dataSize) - (reader.offset - tag.offset - 11))
        if !reader.skip(left) { sourceEnded(insideTag: true) }
    }

    private func sourceEnded(insideTag: Bool) {
        let reason = reader.endReason ?? .end
        if case .failed = reason {} else if insideTag { truncatedTail = true }
        finishedWith = reason
    }

    private func corrupt(_ tag: FlvTagParser.TagHeader, _ what: String) {
        finishedWith = .failed(.invalidFLV("tag at byte \(tag.offset): \(what)"))
    }
}
