import Foundation

/// What ffprobe and ffmpeg say about a file: the ground truth tests compare recordings against.
extension TestMedia {
    /// ffprobe's JSON report on `file`; `args` choose the sections (by default format and streams).
    public static func ffprobeJSON(_ file: URL, _ args: [String] = ["-show_format", "-show_streams"]) throws -> [String: Any] {
        let output = try runToolChecked("ffprobe", ["-v", "error", "-of", "json"] + args + [file.path])
        guard let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else {
            throw TestSupportError.unexpectedToolOutput(tool: "ffprobe", detail: "not a JSON object: \(output.prefix(200))")
        }
        return object
    }

    /// Packets per kind of stream, counted by reading the whole file.
    public static func frameCounts(_ file: URL) throws -> (video: Int, audio: Int) {
        let report = try ffprobeJSON(file, ["-count_packets", "-show_entries", "stream=codec_type,nb_read_packets"])
        var counts = (video: 0, audio: 0)
        for stream in report["streams"] as? [[String: Any]] ?? [] {
            let packets = Int(stream["nb_read_packets"] as? String ?? "") ?? 0
            switch stream["codec_type"] as? String {
            case "video": counts.video += packets
            case "audio": counts.audio += packets
            default: break
            }
        }
        return counts
    }

    /// Everything ffmpeg complains about while decoding all of `file`; empty for a clean file.
    public static func decodeErrors(_ file: URL) throws -> String {
        try runTool("ffmpeg", ["-v", "error", "-nostdin", "-i", file.path, "-f", "null", "-"]).stderr
    }
}
