import Foundation

/// Media made with the ffmpeg CLI at test time (never committed), cached by `MediaCache`.
///
/// Everything is small and cheap to encode: a test pattern with a sine tone, keyframes exactly every 2 s
/// (segmenting and GOP-cache tests count on that), no B-frames (so decode order is presentation order).
public enum TestMedia {
    static let frameRate = 25
    /// 2 s at 25 fps; scene-cut keyframes are disabled so no others appear.
    static let keyframeInterval = 50
    static let videoBitrate = "300k"
    static let audioBitrate = "64k"
    static let sampleRate = 44100
    static let toneFrequency = 440

    /// An FLV file. With `hevc`, video is HEVC under FLV codec id 12, the way Chinese CDNs send it
    /// (ffmpeg cannot write that, so `FlvHevcWriter` makes it).
    public static func flv(seconds: Int, width: Int = 320, height: Int = 240,
                           audio: Bool = true, video: Bool = true, hevc: Bool = false) throws -> URL {
        precondition(audio || video, "a media file needs audio or video")
        let name = "\(hevc ? "hevc" : "avc")-\(seconds)s-\(width)x\(height)-\(tracks(audio: audio, video: video)).flv"
        if hevc && video {
            let source = try hevcMkv(seconds: seconds, width: width, height: height, audio: audio)
            return try MediaCache.item(name) { try FlvHevcWriter.write(from: source, to: $0) }
        }
        return try MediaCache.item(name) { output in
            _ = try runToolChecked("ffmpeg", sourceArguments(seconds: seconds, width: width, height: height,
                                                             audio: audio, video: video)
                + encodeArguments(audio: audio, video: video, hevc: false) + ["-f", "flv", output.path])
        }
    }

    /// HEVC video (libx265) in Matroska, with AAC audio unless `audio` is false.
    public static func hevcMkv(seconds: Int, width: Int = 320, height: Int = 240, audio: Bool = true) throws -> URL {
        let name = "hevc-\(seconds)s-\(width)x\(height)-\(tracks(audio: audio, video: true)).mkv"
        return try MediaCache.item(name) { output in
            _ = try runToolChecked("ffmpeg", sourceArguments(seconds: seconds, width: width, height: height,
                                                             audio: audio, video: true)
                + encodeArguments(audio: audio, video: true, hevc: true) + ["-f", "matroska", output.path])
        }
    }

    /// HLS segments (MPEG-TS, or fMP4 with an init section) of a 320x240 stream, as ffmpeg's VOD packager
    /// cuts them. Cuts fall on keyframes, so `segmentSeconds` should be a multiple of 2.
    public static func hlsSegments(seconds: Int, fmp4: Bool, segmentSeconds: Int = 2) throws -> HLSMedia {
        let (width, height) = (320, 240)
        let name = "hls-\(fmp4 ? "fmp4" : "ts")-\(seconds)s-\(segmentSeconds)s"
        let directory = try MediaCache.item(name) { directory in
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let segmentPattern = directory.appendingPathComponent("seg%d.\(fmp4 ? "m4s" : "ts")").path
            let packaging = ["-f", "hls", "-hls_time", "\(segmentSeconds)", "-hls_playlist_type", "vod",
                             "-hls_segment_filename", segmentPattern]
                + (fmp4 ? ["-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", HLSMedia.initSectionName] : [])
            _ = try runToolChecked("ffmpeg", sourceArguments(seconds: seconds, width: width, height: height,
                                                             audio: true, video: true)
                + encodeArguments(audio: true, video: true, hevc: false) + packaging
                + [directory.appendingPathComponent(HLSMedia.playlistName).path])
        }
        return try HLSMedia(directory: directory, width: width, height: height)
    }

    private static func tracks(audio: Bool, video: Bool) -> String {
        (video ? "v" : "") + (audio ? "a" : "")
    }

    private static func sourceArguments(seconds: Int, width: Int, height: Int, audio: Bool, video: Bool) -> [String] {
        var arguments = ["-v", "error", "-nostdin", "-y"]
        if video {
            arguments += ["-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height):rate=\(frameRate):duration=\(seconds)"]
        }
        if audio {
            arguments += ["-f", "lavfi", "-i",
                          "sine=frequency=\(toneFrequency):sample_rate=\(sampleRate):duration=\(seconds)"]
        }
        return arguments
    }

    private static func encodeArguments(audio: Bool, video: Bool, hevc: Bool) -> [String] {
        var arguments: [String] = []
        if video {
            let gop = ["-g", "\(keyframeInterval)", "-keyint_min", "\(keyframeInterval)", "-bf", "0"]
            if hevc {
                // The libx265 wrapper ignores -sc_threshold; closed GOPs make every keyframe an IDR,
                // as a live encoder's are.
                arguments += ["-c:v", "libx265", "-preset", "ultrafast"] + gop
                    + ["-x265-params", "scenecut=0:open-gop=0:log-level=error"]
            } else {
                arguments += ["-c:v", "libx264", "-preset", "ultrafast"] + gop + ["-sc_threshold", "0"]
            }
            arguments += ["-b:v", videoBitrate, "-pix_fmt", "yuv420p"]
        }
        if audio {
            arguments += ["-c:a", "aac", "-ar", "\(sampleRate)", "-ac", "2", "-b:a", audioBitrate]
        }
        return arguments
    }
}
