import BiliupTestSupport
import Foundation

/// What ffprobe and ffmpeg say about one recorded file.
struct FileFacts {
    var startTime: Double
    var duration: Double
    var firstVideoIsKeyframe: Bool?
    var firstVideoTime: Double?
    var videoFrames: Int
    var audioFrames: Int
    var width: Int?
    var height: Int?
    var decodeErrors: String

    init(_ file: URL) throws {
        let info = try TestMedia.ffprobeJSON(file, ["-show_format", "-show_streams"])
        let format = info["format"] as? [String: Any] ?? [:]
        startTime = Double(format["start_time"] as? String ?? "") ?? .nan
        duration = Double(format["duration"] as? String ?? "") ?? .nan
        if duration.isNaN {
            // A Matroska file whose writer was killed has no Duration element: take the last frame's time.
            let packets = try TestMedia.ffprobeJSON(file, ["-show_entries", "packet=pts_time"])["packets"] as? [[String: Any]] ?? []
            let times = packets.compactMap { Double($0["pts_time"] as? String ?? "") }
            duration = (times.max() ?? .nan) - (startTime.isNaN ? 0 : startTime)
        }
        let streams = info["streams"] as? [[String: Any]] ?? []
        let video = streams.first { $0["codec_type"] as? String == "video" }
        width = video?["width"] as? Int
        height = video?["height"] as? Int
        if video != nil {
            let first = try TestMedia.ffprobeJSON(file, ["-select_streams", "v:0", "-show_entries", "packet=pts_time,flags",
                                                        "-read_intervals", "%+#1"])
            let pkt = (first["packets"] as? [[String: Any]])?.first
            firstVideoIsKeyframe = (pkt?["flags"] as? String)?.hasPrefix("K")
            firstVideoTime = Double(pkt?["pts_time"] as? String ?? "")
        }
        (videoFrames, audioFrames) = try TestMedia.frameCounts(file)
        decodeErrors = try TestMedia.decodeErrors(file)
    }
}

/// The recorder's sidecar report of a file.
func sidecar(of file: URL) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: file.path + ".json"))
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}
