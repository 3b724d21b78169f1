import Foundation

/// Free space where recordings go. Below the configured minimum no recording starts and running ones
/// are stopped (their files closed and playable), instead of filling the disk or looping on empty files.
struct DiskGuard: Sendable {
    let path: String
    let minimumFreeBytes: Int64

    /// Free bytes for an unprivileged writer on the file system holding `path` (or its nearest existing parent).
    func freeBytes() -> Int64? {
        var dir = path
        while !FileManager.default.fileExists(atPath: dir) {
            let parent = (dir as NSString).deletingLastPathComponent
            if parent == dir || parent.isEmpty { dir = "."; break }
            dir = parent
        }
        var info = statvfs()
        guard statvfs(dir, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    var isLow: Bool { (freeBytes() ?? .max) < minimumFreeBytes }
}
