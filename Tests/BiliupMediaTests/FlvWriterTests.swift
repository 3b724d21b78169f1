@testable import BiliupMedia
import BiliupTestSupport
import CFFmpeg
import Foundation
import Testing

@Suite struct FlvWriterTests {
    @Test func roundTripMatchesTheSource() throws {
        let file = try TestMedia.flv(seconds: 6)
        let dir = try flvScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.flv")

        let demuxer = try FlvDemuxer(source: FileByteSource(path: file.path))
        #expect(FlvWriter.canWrite(demuxer.tracks))
        let writer = try FlvWriter(path: out.path, tracks: demuxer.tracks)
        let result = try demuxAll(demuxer) { try writer.write($0) }
        try writer.finish()
        let size = try FileManager.default.attributesOfItem(atPath: out.path)[.size] as! Int
        #expect(writer.bytesWritten == Int64(size))

        #expect(try probePackets(out) == probePackets(file))
        let counts = try TestMedia.frameCounts(out)
        #expect(counts.video == result.packets.filter(\.video).count)
        #expect(counts.audio == result.packets.filter { !$0.video }.count)
        #expect(try TestMedia.decodeErrors(out) == "")

        let streams = try TestMedia.ffprobeJSON(out, ["-show_streams"])["streams"] as? [[String: Any]] ?? []
        let video = streams.first { $0["codec_type"] as? String == "video" }
        let audio = streams.first { $0["codec_type"] as? String == "audio" }
        #expect(video?["width"] as? Int == 320 && video?["height"] as? Int == 240)
        #expect(audio?["sample_rate"] as? String == "44100" && audio?["channels"] as? Int == 2)

        // onMetaData: duration and filesize patched by finish().
        let metadata = try scriptNumbers(out)
        let lastMs = result.packets.map(\.pts).max()!
        #expect(abs(metadata["duration"]! - Double(lastMs) / 1000) < 0.05)
        #expect(metadata["filesize"] == Double(size))
        #expect(metadata["width"] == 320 && metadata["height"] == 240)
        #expect(metadata["videocodecid"] == 7 && metadata["audiocodecid"] == 10 && metadata["audiosamplerate"] == 44100)
        let tags = try FlvTagReader.read(out).tags
        #expect(tags.first?.isScript == true)
        #expect(tags[0].data.range(of: Data("biliup".utf8)) != nil)

        // Re-reading our own output gives the same packets, byte for byte.
        let again = demuxAll(try FlvDemuxer(source: FileByteSource(path: out.path)))
        #expect(again.packets == result.packets)
        #expect(again.payloads.map(\.hash) == result.payloads.map(\.hash))
        #expect(again.tracks == result.tracks)
    }

    @Test(.enabled(if: FlvDemuxerTests.haveX265, "ffmpeg has no libx265")) func hevcIsWrittenWithCodecID12() throws {
        let file = try TestMedia.flv(seconds: 4, hevc: true)
        let dir = try flvScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("hevc.flv")

        let demuxer = try FlvDemuxer(source: FileByteSource(path: file.path))
        #expect(FlvWriter.canWrite(demuxer.tracks))
        let writer = try FlvWriter(path: out.path, tracks: demuxer.tracks)
        let result = try demuxAll(demuxer) { try writer.write($0) }
        try writer.finish()

        let tags = try FlvTagReader.read(out).tags
        let videoTags = tags.filter(\.isVideo)
        #expect(!videoTags.isEmpty && videoTags.allSatisfy { $0.data.first! & 0x0F == 12 })
        let header = videoTags[0]
        #expect(header.isSequenceHeader && [UInt8](header.data.dropFirst(5)) == result.tracks[0].extradata)
        #expect(try scriptNumbers(out)["videocodecid"] == 12)

        let again = demuxAll(try FlvDemuxer(source: FileByteSource(path: out.path)))
        #expect(again.tracks == result.tracks)
        #expect(again.packets == result.packets)
        #expect(again.payloads.map(\.hash) == result.payloads.map(\.hash))
    }

    @Test func canWriteOnlyConfigRecords() throws {
        let file = try TestMedia.flv(seconds: 1)
        let tracks = try FlvDemuxer(source: FileByteSource(path: file.path)).tracks
        #expect(FlvWriter.canWrite(tracks))
        #expect(FlvWriter.canWrite([tracks[1]]))
        #expect(!FlvWriter.canWrite([]))
        #expect(!FlvWriter.canWrite([tracks[0], tracks[0]]))
        // H.264 with Annex B extradata (as from MPEG-TS): its packets are not length-prefixed.
        let annexB = makeTrack(.video, AV_CODEC_ID_H264, extradata: [0, 0, 0, 1, 0x67, 0x42, 0, 0x1E])
        #expect(!FlvWriter.canWrite([annexB, tracks[1]]))
        #expect(!FlvWriter.canWrite([makeTrack(.audio, AV_CODEC_ID_AAC, extradata: [])]))
        #expect(FlvWriter.canWrite([makeTrack(.audio, AV_CODEC_ID_MP3, extradata: [])]))
        #expect(!FlvWriter.canWrite([makeTrack(.audio, AV_CODEC_ID_OPUS, extradata: [])]))
        do {
            _ = try FlvWriter(path: "/tmp/never.flv", tracks: [annexB])
            Issue.record("accepted Annex B")
        } catch {
            #expect(error.description.hasPrefix("cannot write file: FLV writer cannot hold h264"))
        }
    }

    @Test func fullDiskIsAnIOError() throws {
        let file = try TestMedia.flv(seconds: 1)
        let tracks = try FlvDemuxer(source: FileByteSource(path: file.path)).tracks
        do {
            // A device that is always full, handed over as an open descriptor (a recording creates its files itself).
            _ = try FlvWriter(file: CreatedFile(descriptor: open("/dev/full", O_WRONLY | O_CLOEXEC), path: "/dev/full"), tracks: tracks)
            Issue.record("no error writing to /dev/full")
        } catch {
            #expect(error.description == "write /dev/full: No space left on device")
        }
        do {
            _ = try FlvWriter(path: "/nonexistent-dir/x.flv", tracks: tracks)
            Issue.record("no error creating in a missing directory")
        } catch {
            #expect(error.description == "cannot create /nonexistent-dir/x.flv: No such file or directory")
        }
    }

    /// What a killed process leaves behind: everything up to the last flush, ending with a whole tag, and
    /// ffmpeg reads it without a single error.
    @Test func unfinishedFileIsPlayable() throws {
        let file = try TestMedia.flv(seconds: 6)
        let dir = try flvScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("live.flv")
        let snapshot = dir.appendingPathComponent("killed.flv")

        let demuxer = try FlvDemuxer(source: FileByteSource(path: file.path))
        let writer = try FlvWriter(path: out.path, tracks: demuxer.tracks)
        var written = 0
        loop: while true {
            switch demuxer.next() {
            case .packet(let p):
                try writer.write(p)
                written += 1
                // Just after the third keyframe (4 s in): the file holds the keyframe, flushed.
                if p.isKeyframe && p.track == 0 && p.dts >= 4000 { break loop }
            default: break loop
            }
        }
        try FileManager.default.copyItem(at: out, to: snapshot)
        let onDisk = try FileManager.default.attributesOfItem(atPath: snapshot.path)[.size] as! Int
        #expect(Int64(onDisk) == writer.bytesWritten)  // flushed at the keyframe
        _ = try FlvTagReader.read(snapshot)  // ends on a tag boundary (throws on a truncated tag)
        #expect(try TestMedia.decodeErrors(snapshot) == "")
        let counts = try TestMedia.frameCounts(snapshot)
        #expect(counts.video + counts.audio == written)
        try writer.finish()
    }

    @Test func hugeTimestampsDoNotCrash() throws {
        let file = try TestMedia.flv(seconds: 1)
        let dir = try flvScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let demuxer = try FlvDemuxer(source: FileByteSource(path: file.path))
        let writer = try FlvWriter(path: dir.appendingPathComponent("big.flv").path, tracks: demuxer.tracks)
        var n: Int64 = 0
        while case .packet(let p) = demuxer.next() {
            let base: Int64 = n % 3 == 0 ? 3_000_000_000 : n % 3 == 1 ? 1 << 40 : -5
            p.dts = base + n
            p.pts = base + n + (n % 2 == 0 ? 1 << 30 : -(1 << 30))
            try writer.write(p)
            n += 1
        }
        try writer.finish()
        #expect(writer.bytesWritten > 0)
    }

    /// onMetaData's number properties, by name.
    private func scriptNumbers(_ file: URL) throws -> [String: Double] {
        let tag = try #require(try FlvTagReader.read(file).tags.first(where: \.isScript))
        let d = [UInt8](tag.data)
        var numbers: [String: Double] = [:]
        // String "onMetaData" (13 bytes), ECMA array marker + count (5 bytes), then name/value pairs.
        var i = 18
        while i + 2 < d.count {
            let length = Int(d[i]) << 8 | Int(d[i + 1])
            if length == 0 { break }
            let name = String(decoding: d[i + 2..<i + 2 + length], as: UTF8.self)
            i += 2 + length
            switch d[i] {
            case 0:
                numbers[name] = Double(bitPattern: d[i + 1..<i + 9].reduce(0) { $0 << 8 | UInt64($1) })
                i += 9
            case 1: i += 2
            case 2: i += 3 + (Int(d[i + 1]) << 8 | Int(d[i + 2]))
            default: return numbers
            }
        }
        return numbers
    }

    private func makeTrack(_ kind: MediaKind, _ codec: AVCodecID, extradata: [UInt8]) -> Track {
        let par = avcodec_parameters_alloc()!
        par.pointee.codec_type = kind == .video ? AVMEDIA_TYPE_VIDEO : AVMEDIA_TYPE_AUDIO
        par.pointee.codec_id = codec
        par.pointee.width = 320
        par.pointee.height = 240
        par.pointee.sample_rate = 44100
        av_channel_layout_default(&par.pointee.ch_layout, 2)
        if !extradata.isEmpty {
            let p = av_mallocz(extradata.count + Int(AV_INPUT_BUFFER_PADDING_SIZE))!.assumingMemoryBound(to: UInt8.self)
            p.update(from: extradata, count: extradata.count)
            par.pointee.extradata = p
            par.pointee.extradata_size = Int32(extradata.count)
        }
        return Track(index: 0, owning: par, timeBase: AVRational(num: 1, den: 1000))
    }
}
