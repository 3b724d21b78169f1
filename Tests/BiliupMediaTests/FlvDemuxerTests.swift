import BiliupMedia
import BiliupTestSupport
import CFFmpeg
import Foundation
import Testing

@Suite struct FlvDemuxerTests {
    // MARK: - Against ffprobe

    @Test func readsH264AndAACLikeFFprobe() throws {
        let file = try TestMedia.flv(seconds: 6)
        let demuxer = try FlvDemuxer(source: FileByteSource(path: file.path))
        #expect(demuxer.formatName == "flv")
        let tracks = demuxer.tracks
        try #require(tracks.count == 2)
        #expect(tracks[0].kind == .video && tracks[0].index == 0)
        #expect(tracks[1].kind == .audio && tracks[1].index == 1)
        #expect(tracks[0].summary == "h264 320x240")
        #expect(tracks[1].summary == "aac 44100 Hz 2 ch")
        #expect(tracks[0].extradata.first == 1)  // avcC
        #expect(tracks[1].extradata.count >= 2 && tracks[1].extradata[0] >> 3 == 2)  // AudioSpecificConfig, AAC-LC
        #expect(tracks.allSatisfy { $0.timeBase.num == 1 && $0.timeBase.den == 1000 })

        let result = demuxAll(demuxer)
        #expect(result.endDescription == "end")
        #expect(result.trackChanges.isEmpty)
        let expected = try probePackets(file)
        #expect(expected.count > 400)
        #expect(result.packets == expected)
        let counts = try TestMedia.frameCounts(file)
        #expect(result.packets.filter(\.video).count == counts.video)
        #expect(result.packets.filter { !$0.video }.count == counts.audio)
        #expect(result.packets.first(where: \.video)?.key == true)
        #expect(demuxer.previousTagSizeMismatches == 0)
        #expect(demuxer.skippedTags == 0 && demuxer.droppedFrames == 0 && !demuxer.truncatedTail)
        // Large frames go straight from the source into packet memory; only small ones are copied.
        let payload = result.payloads.reduce(0) { $0 + $1.size }
        #expect(demuxer.copiedBytes > 0 && demuxer.copiedBytes <= Int64(payload))
    }

    @Test func readBoundariesDoNotMatter() throws {
        let file = try TestMedia.flv(seconds: 6)
        let reference = demuxAll(try FlvDemuxer(source: FileByteSource(path: file.path)))
        let bytes = try fileBytes(file)
        for chunk in [1, 7, 4093, 16 << 10 + 1, 1 << 20] {
            let result = demuxAll(try FlvDemuxer(source: FlvMemorySource(bytes, chunk: chunk)))
            #expect(result.packets == reference.packets, "chunk \(chunk)")
            #expect(result.payloads.map(\.hash) == reference.payloads.map(\.hash), "chunk \(chunk)")
            #expect(result.tracks == reference.tracks, "chunk \(chunk)")
        }
    }

    @Test func croppedH264PictureSize() throws {
        let file = try TestMedia.flv(seconds: 1, width: 318, height: 238)
        let demuxer = try FlvDemuxer(source: FileByteSource(path: file.path))
        #expect(demuxer.tracks.first?.summary == "h264 318x238")
    }

    @Test func audioOnlyAndVideoOnly() throws {
        let audioFile = try TestMedia.flv(seconds: 3, video: false)
        let audio = try FlvDemuxer(source: FileByteSource(path: audioFile.path))
        #expect(audio.tracks.map(\.summary) == ["aac 44100 Hz 2 ch"])
        let audioResult = demuxAll(audio)
        #expect(audioResult.packets == (try probePackets(audioFile)))

        let videoFile = try TestMedia.flv(seconds: 3, audio: false)
        let video = try FlvDemuxer(source: FileByteSource(path: videoFile.path))
        #expect(video.tracks.map(\.summary) == ["h264 320x240"])
        let videoResult = demuxAll(video)
        #expect(videoResult.packets == (try probePackets(videoFile)))
    }

    @Test func mp3Audio() throws {
        let dir = try flvScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("mp3.flv")
        let r = try runTool("ffmpeg", ["-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "sine=f=440:sample_rate=44100:duration=2",
                                       "-c:a", "libmp3lame", "-ac", "2", "-b:a", "64k", file.path])
        try #require(r.status == 0, "\(r.stderr)")
        let demuxer = try FlvDemuxer(source: FileByteSource(path: file.path))
        #expect(demuxer.tracks.map(\.summary) == ["mp3 44100 Hz 2 ch"])
        let result = demuxAll(demuxer)
        #expect(result.packets == (try probePackets(file)))
    }

    // MARK: - HEVC

    static let haveX265 = ffmpegHasEncoder("libx265")

    @Test(.enabled(if: haveX265, "ffmpeg has no libx265")) func hevcCodecID12() throws {
        let file = try TestMedia.flv(seconds: 4, hevc: true)
        let demuxer = try FlvDemuxer(source: FileByteSource(path: file.path))
        #expect(demuxer.tracks.map(\.summary) == ["hevc 320x240", "aac 44100 Hz 2 ch"])
        #expect(demuxer.tracks[0].extradata.first == 1)  // hvcC
        let result = demuxAll(demuxer)
        #expect(result.endDescription == "end")
        // ffmpeg 5.1 cannot read codec id 12, so compare with the Matroska the FLV was made from.
        let source = try TestMedia.hevcMkv(seconds: 4)
        let counts = try TestMedia.frameCounts(source)
        #expect(result.packets.filter(\.video).count == counts.video)
        #expect(result.packets.first(where: \.video)?.key == true)
        let sourceVideo = try probePackets(source).filter(\.video)
        #expect(result.packets.filter(\.video).map(\.key) == sourceVideo.map(\.key))
    }

    @Test(.enabled(if: haveX265, "ffmpeg has no libx265")) func croppedHevcPictureSize() throws {
        let file = try TestMedia.flv(seconds: 1, width: 318, height: 238, audio: false, hevc: true)
        let demuxer = try FlvDemuxer(source: FileByteSource(path: file.path))
        #expect(demuxer.tracks.map(\.summary) == ["hevc 318x238"])
    }

    /// The tracks are good enough for libavformat's MP4 and Matroska muxers (which refuse a video
    /// track without a picture size), and what they write decodes cleanly.
    @Test func tracksSuitLibavformatMuxers() throws {
        var cases: [(URL, OutputFormat)] = [(try TestMedia.flv(seconds: 3), .mp4)]
        if Self.haveX265 { cases.append((try TestMedia.flv(seconds: 3, hevc: true), .mkv)) }
        let dir = try flvScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (i, (file, format)) in cases.enumerated() {
            let demuxer = try FlvDemuxer(source: FileByteSource(path: file.path))
            let out = dir.appendingPathComponent("out\(i).\(format.fileExtension)")
            let muxer = try LibavMuxer(path: out.path, tracks: demuxer.tracks, format: format)
            let result = try demuxAll(demuxer) { try muxer.write($0) }
            try muxer.finish()
            let counts = try TestMedia.frameCounts(out)
            #expect(counts.video == result.packets.filter(\.video).count, "\(format)")
            #expect(counts.audio == result.packets.filter { !$0.video }.count, "\(format)")
            #expect(try TestMedia.decodeErrors(out) == "", "\(format)")
        }
    }

    // MARK: - Enhanced FLV

    @Test func enhancedFlvAvc1() throws {
        try expectEnhancedFlvReadsLikeLegacy(try TestMedia.flv(seconds: 3), fourcc: "avc1")
    }

    @Test(.enabled(if: haveX265, "ffmpeg has no libx265")) func enhancedFlvHvc1() throws {
        try expectEnhancedFlvReadsLikeLegacy(try TestMedia.flv(seconds: 3, hevc: true), fourcc: "hvc1")
    }

    /// Rewrites `file`'s video tags in Enhanced RTMP/FLV form (IsExHeader, FourCC; CodedFramesX where the
    /// composition time is 0) and expects the same tracks and packets.
    private func expectEnhancedFlvReadsLikeLegacy(_ file: URL, fourcc name: String) throws {
        let reference = demuxAll(try FlvDemuxer(source: FileByteSource(path: file.path)))
        let flv = try FlvTagReader.read(file)
        var out = flv.header
        for var tag in flv.tags {
            if tag.isVideo {
                let d = [UInt8](tag.data)
                let frameType = d[0] >> 4
                let fourcc: [UInt8] = Array(name.utf8)
                switch d[1] {
                case 0: tag.data = Data([0x80 | frameType << 4 | 0] + fourcc + d[5...])
                case 1 where d[2] == 0 && d[3] == 0 && d[4] == 0:  // CodedFramesX: no composition time
                    tag.data = Data([0x80 | frameType << 4 | 3] + fourcc + d[5...])
                case 1: tag.data = Data([0x80 | frameType << 4 | 1] + fourcc + d[2...])
                default: tag.data = Data([0x80 | frameType << 4 | 2] + fourcc)
                }
            }
            FlvTagWriter.append(tag, to: &out)
        }
        let result = demuxAll(try FlvDemuxer(source: FlvMemorySource([UInt8](out), chunk: 5000)))
        #expect(result.tracks == reference.tracks)
        #expect(result.packets == reference.packets)
        #expect(result.payloads.map(\.hash) == reference.payloads.map(\.hash))
    }

    // MARK: - Mid-stream changes

    @Test func resolutionChangeGivesNewTracksAtTheKeyframe() throws {
        let a = try TestMedia.flv(seconds: 4)
        let b = try TestMedia.flv(seconds: 4, width: 640, height: 360)
        let aPackets = try probePackets(a), bPackets = try probePackets(b)
        let offset = Int(aPackets.map(\.dts).max()!) + 40
        let bytes = try fileBytes(a) + flvTagsShifted(b, by: offset)
        let demuxer = try FlvDemuxer(source: FlvMemorySource(bytes, chunk: 30000))
        #expect(demuxer.tracks.map(\.summary) == ["h264 320x240", "aac 44100 Hz 2 ch"])
        let result = demuxAll(demuxer)
        #expect(result.endDescription == "end")
        let changes = result.trackChanges
        try #require(changes.count == 1)
        #expect(changes[0].map(\.description) == ["h264 640x360 0 Hz 0 ch", "aac 0x0 44100 Hz 2 ch"])
        #expect(changes[0][0].extradata != result.tracks[0].extradata)
        // The change comes right before B's first keyframe.
        let at = result.events.firstIndex { if case .tracks = $0 { true } else { false } }!
        guard case .packet(let first, let track, _, _) = result.events[at + 1] else {
            Issue.record("no packet after the change")
            return
        }
        #expect(first.video && first.key && track == 0 && first.dts == bPackets.first(where: \.video)!.dts + Int64(offset))
        // Nothing lost.
        #expect(result.packets.count == aPackets.count + bPackets.count)
        #expect(result.packets.filter(\.video).count == (aPackets + bPackets).filter(\.video).count)
    }

    /// A stream joined mid-GOP: frames before the first keyframe cannot be decoded (nor sized) and are
    /// dropped; audio read meanwhile is kept.
    @Test func startingMidGOP() throws {
        let file = try TestMedia.flv(seconds: 6)
        let flv = try FlvTagReader.read(file)
        var out = flv.header
        var droppedKeyframe = false
        for tag in flv.tags {
            if tag.isKeyframe && !tag.isSequenceHeader && !droppedKeyframe {
                droppedKeyframe = true
                continue
            }
            FlvTagWriter.append(tag, to: &out)
        }
        let demuxer = try FlvDemuxer(source: FlvMemorySource([UInt8](out)))
        #expect(demuxer.tracks.map(\.summary) == ["h264 320x240", "aac 44100 Hz 2 ch"])
        let result = demuxAll(demuxer)
        let expected = try probePackets(file)
        let firstVideo = try #require(result.packets.first { $0.video })
        #expect(firstVideo.key && firstVideo.dts >= 1900)
        #expect(result.packets.filter(\.video).count == expected.filter(\.video).count - 50)
        #expect(demuxer.droppedFrames == 49)
        #expect(result.packets.filter { !$0.video } == expected.filter { !$0.video })
    }

    /// Audio alone for 3 s, then video joins: the stream starts audio-only (track 0) and the new tracks put
    /// video first, so audio moves to track 1.
    @Test func videoJoiningLater() throws {
        let file = try TestMedia.flv(seconds: 6)
        let flv = try FlvTagReader.read(file)
        let header = try #require(flv.tags.first { $0.isVideo && $0.isSequenceHeader })
        var out = flv.header
        var videoStarted = false
        for tag in flv.tags where !(tag.isVideo && tag.isSequenceHeader) {
            if tag.isVideo && !videoStarted {
                guard tag.timestamp >= 3000 && tag.isKeyframe else { continue }
                videoStarted = true
                FlvTagWriter.append(header, timestamp: tag.timestamp, to: &out)
            }
            FlvTagWriter.append(tag, to: &out)
        }
        let demuxer = try FlvDemuxer(source: FlvMemorySource([UInt8](out)))
        #expect(demuxer.tracks.map(\.summary) == ["aac 44100 Hz 2 ch"])
        let result = demuxAll(demuxer)
        #expect(result.trackChanges.map { $0.map(\.codec) } == [["h264", "aac"]])
        var audioTrack = 0
        for event in result.events {
            switch event {
            case .tracks: audioTrack = 1
            case .packet(let p, let track, _, _): #expect(track == (p.video ? 0 : audioTrack))
            }
        }
        #expect(result.packets.first(where: \.video)?.key == true)
        #expect(result.packets.filter { !$0.video }.count == (try probePackets(file)).filter { !$0.video }.count)
    }

    @Test func identicalRepeatedHeadersAreSkipped() throws {
        let a = try TestMedia.flv(seconds: 2)
        let offset = Int(try probePackets(a).map(\.dts).max()!) + 40
        let bytes = try fileBytes(a) + flvTagsShifted(a, by: offset)
        let result = demuxAll(try FlvDemuxer(source: FlvMemorySource(bytes)))
        #expect(result.trackChanges.isEmpty)
        #expect(result.packets.count == 2 * (try probePackets(a)).count)
    }

    // MARK: - Errors

    @Test func htmlPage() {
        let html = Array("<!DOCTYPE html><html><body><h1>Room closed</h1></body></html>\n".utf8)
        expectInitError(html, "not a media stream: the server sent an HTML page")
        expectInitError(Array("\n  <html lang=\"zh\"><head>".utf8), "not a media stream: the server sent an HTML page")
        expectInitError(Array("{\"code\":404,\"msg\":\"room not found\"}".utf8),
                        "not a media stream: the server sent JSON, not FLV")
    }

    @Test func zerosAndOtherBytes() {
        expectInitError([UInt8](repeating: 0, count: 65536), "invalid FLV: header: expected \"FLV\", got other binary data")
        expectInitError([0x47, 0x40, 0x11, 0x10, 0x00, 0x42], "invalid FLV: header: expected \"FLV\", got other binary data")
    }

    @Test func truncatedAndEmpty() {
        expectInitError([0x46, 0x4C, 0x56, 0x01, 0x05], "invalid FLV: stream ended after 5 bytes, inside the 9-byte FLV header")
        expectInitError([], "cannot read stream: stream ended before its first byte")
        expectInitError([0x46, 0x4C, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0],
                        "cannot read stream: stream ended after 13 bytes, before any audio or video codec header")
    }

    @Test func sourceFailurePassesThrough() throws {
        expectInitError([], "stream stalled: no data for 7 s", failure: .stalled(seconds: 7))
        let file = try TestMedia.flv(seconds: 2)
        let bytes = Array(try fileBytes(file).prefix(100_000))
        let result = demuxAll(try FlvDemuxer(source: FlvMemorySource(bytes, failure: .stalled(seconds: 3))))
        #expect(result.endDescription == "failed: stream stalled: no data for 3 s")
        #expect(result.packets.count > 10)
    }

    @Test func streamEndingInsideATag() throws {
        let file = try TestMedia.flv(seconds: 2)
        let bytes = Array(try fileBytes(file).prefix(100_000))
        let demuxer = try FlvDemuxer(source: FlvMemorySource(bytes))
        let result = demuxAll(demuxer)
        #expect(result.endDescription == "end")
        #expect(demuxer.truncatedTail)
    }

    @Test func corruptTagType() throws {
        let file = try TestMedia.flv(seconds: 2)
        var bytes = try fileBytes(file)
        // Walk to the 30th tag and break its type.
        var offset = 13
        for _ in 0..<30 {
            let size = Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            offset += 11 + size + 4
        }
        bytes[offset] = 7
        let demuxer = try FlvDemuxer(source: FlvMemorySource(bytes, chunk: 1000))
        let result = demuxAll(demuxer)
        #expect(result.endDescription == "failed: invalid FLV: tag at byte \(offset): unknown tag type 7")
        #expect(result.packets.count >= 20)
    }

    @Test func previousTagSizeMismatchesAreOnlyCounted() throws {
        let file = try TestMedia.flv(seconds: 2)
        var bytes = try fileBytes(file)
        var offset = 13
        for _ in 0..<10 {
            let size = Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            offset += 11 + size
            bytes[offset..<offset + 4] = [0, 0, 0, 0]  // some CDNs send 0 or the size without the header
            offset += 4
        }
        let demuxer = try FlvDemuxer(source: FlvMemorySource(bytes))
        let result = demuxAll(demuxer)
        #expect(result.endDescription == "end")
        #expect(demuxer.previousTagSizeMismatches == 10)
        #expect(result.packets == (try probePackets(file)))
    }

    private func expectInitError(_ bytes: [UInt8], _ message: String, failure: MediaError? = nil,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try FlvDemuxer(source: FlvMemorySource(bytes, chunk: 3, failure: failure))
            Issue.record("no error; expected \(message)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.description == message, sourceLocation: sourceLocation)
        }
    }
}
