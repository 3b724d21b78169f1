import Foundation

/// Converts an HEVC file (MP4, Matroska, ...) into FLV with video codec id 12, the way Chinese CDNs send
/// HEVC over HTTP-FLV. The layout copies AVC-in-FLV: a body starts with `frameType << 4 | 12`, then a
/// packet type (0: sequence header holding the HEVCDecoderConfigurationRecord; 1: 4-byte-length-prefixed
/// NAL units) and a 24-bit composition time offset. ffmpeg 5.1 cannot write this, so:
/// video is remuxed to MP4, the hvcC record is read from the moov box and each sample's bytes are copied
/// from where ffprobe says they are; audio is remuxed to FLV by ffmpeg and its tags are merged in.
public enum FlvHevcWriter {
    static let hevcCodecID: UInt8 = 12
    private static let keyframeType: UInt8 = 1
    private static let interFrameType: UInt8 = 2
    private static let sequenceHeaderPacket: UInt8 = 0
    private static let naluPacket: UInt8 = 1
    private static let aacCodecID = 10.0

    public static func write(from input: URL, to output: URL) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("flv-hevc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        let video = try videoTags(from: input, scratch: scratch)
        let audio = try audioTags(from: input, scratch: scratch)
        var metadata: [(name: String, value: Double)] = [
            ("duration", Double(video.frames.last?.timestamp ?? 0) / 1000),
            ("width", Double(video.width)), ("height", Double(video.height)),
            ("videocodecid", Double(hevcCodecID)),
        ]
        if !audio.isEmpty { metadata.append(("audiocodecid", aacCodecID)) }

        var flv = FlvTagWriter.header(audio: !audio.isEmpty, video: true)
        let script = FlvTag(type: FlvTag.scriptType, timestamp: 0, data: FlvScriptData.onMetaData(metadata))
        let audioHeaders = audio.filter(\.isSequenceHeader)
        let audioFrames = audio.filter { !$0.isSequenceHeader }
        for tag in [script, video.sequenceHeader] + audioHeaders + interleave(video.frames, audioFrames) {
            FlvTagWriter.append(tag, to: &flv)
        }
        try flv.write(to: output)
    }

    private struct VideoTags {
        var sequenceHeader: FlvTag
        var frames: [FlvTag]
        var width: Int
        var height: Int
    }

    private static func videoTags(from input: URL, scratch: URL) throws -> VideoTags {
        let mp4URL = scratch.appendingPathComponent("video.mp4")
        _ = try runToolChecked("ffmpeg", ["-v", "error", "-nostdin", "-y", "-i", input.path,
                                          "-map", "0:v:0", "-c", "copy", "-f", "mp4", mp4URL.path])
        let mp4 = try Data(contentsOf: mp4URL)
        let record = try Mp4HevcConfig.record(in: mp4)
        let report = try TestMedia.ffprobeJSON(mp4URL, [
            "-select_streams", "v:0", "-show_entries", "stream=width,height:packet=pts_time,dts_time,pos,size,flags",
        ])
        guard let stream = (report["streams"] as? [[String: Any]])?.first,
              let width = stream["width"] as? Int, let height = stream["height"] as? Int,
              let packets = report["packets"] as? [[String: Any]] else {
            throw TestSupportError.unexpectedToolOutput(tool: "ffprobe", detail: "no video stream in \(input.path)")
        }
        let frames = try packets.map { try frameTag(packet: $0, mp4: mp4) }
        let header = FlvTag(type: FlvTag.videoType, timestamp: 0,
                            data: Data([keyframeType << 4 | hevcCodecID, sequenceHeaderPacket, 0, 0, 0]) + record)
        return VideoTags(sequenceHeader: header, frames: frames, width: width, height: height)
    }

    /// One video tag from an ffprobe packet entry; the sample bytes in MP4 are already length-prefixed.
    private static func frameTag(packet: [String: Any], mp4: Data) throws -> FlvTag {
        guard let dts = milliseconds(packet["dts_time"]), let pts = milliseconds(packet["pts_time"]),
              let position = Int(packet["pos"] as? String ?? ""), let size = Int(packet["size"] as? String ?? ""),
              position >= 0, position + size <= mp4.count else {
            throw TestSupportError.unexpectedToolOutput(tool: "ffprobe", detail: "bad packet entry \(packet)")
        }
        let frameType = (packet["flags"] as? String ?? "").hasPrefix("K") ? keyframeType : interFrameType
        let compositionTime = UInt32(truncatingIfNeeded: pts - dts)  // signed 24-bit on the wire
        var body = Data([frameType << 4 | hevcCodecID, naluPacket])
        body.append(contentsOf: FlvTagWriter.bigEndianBytes(compositionTime).dropFirst())
        body.append(mp4[mp4.startIndex + position..<mp4.startIndex + position + size])
        return FlvTag(type: FlvTag.videoType, timestamp: dts, data: body)
    }

    private static func milliseconds(_ seconds: Any?) -> Int? {
        (seconds as? String).flatMap(Double.init).map { Int(($0 * 1000).rounded()) }
    }

    /// The input's first audio stream as FLV tags (sequence header included); empty if it has none.
    private static func audioTags(from input: URL, scratch: URL) throws -> [FlvTag] {
        let streams = try TestMedia.ffprobeJSON(input, ["-select_streams", "a", "-show_entries", "stream=index"])
        guard let audioStreams = streams["streams"] as? [Any], !audioStreams.isEmpty else { return [] }
        let flvURL = scratch.appendingPathComponent("audio.flv")
        _ = try runToolChecked("ffmpeg", ["-v", "error", "-nostdin", "-y", "-i", input.path,
                                          "-map", "0:a:0", "-c", "copy", "-f", "flv", flvURL.path])
        return try FlvTagReader.read(flvURL).tags.filter(\.isAudio)
    }

    /// Merges two timestamp-ordered tag lists; on equal timestamps video goes first, as ffmpeg does.
    private static func interleave(_ video: [FlvTag], _ audio: [FlvTag]) -> [FlvTag] {
        var merged: [FlvTag] = []
        merged.reserveCapacity(video.count + audio.count)
        var (v, a) = (0, 0)
        while v < video.count || a < audio.count {
            if a == audio.count || (v < video.count && video[v].timestamp <= audio[a].timestamp) {
                merged.append(video[v]); v += 1
            } else {
                merged.append(audio[a]); a += 1
            }
        }
        return merged
    }
}
