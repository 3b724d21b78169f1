import Foundation

/// The files that belong to a video segment and go where it goes: its danmaku XML and the `.ass`
/// made from it (`NAME.xml`, `NAME.ass` beside `NAME.ext`). `biliup.move` moves them with the video,
/// renamed the same way, so a hook that files a segment away does not leave its chat behind.
enum CompanionFiles {
    static let extensions = ["xml", "ass"]

    /// (from, to) for each companion of `video` that exists, when `video` is moved to `destination`.
    /// Nothing for a file that is itself a companion (moving an XML moves that XML only).
    static func moves(video: String, destination: String) -> [(String, String)] {
        let ext = (video as NSString).pathExtension.lowercased()
        guard !ext.isEmpty, !extensions.contains(ext), ext != "json" else { return [] }
        let fromStem = (video as NSString).deletingPathExtension
        let toStem = (destination as NSString).deletingPathExtension
        return extensions.compactMap { companion in
            let from = fromStem + "." + companion
            return FileManager.default.fileExists(atPath: from) ? (from, toStem + "." + companion) : nil
        }
    }
}
