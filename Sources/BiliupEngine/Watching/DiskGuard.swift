import Foundation

/// Free space where recordings go. Below the configured minimum no recording starts and running ones
/// are stopped (their files closed and playable), instead of filling the disk or looping on empty files.
struct DiskGuard: Sendable {
    let path: String
    let minimumFreeBytes: Int64

    /// Free bytes for an unprivileged writer on the file system holding `path` (or its nearest existing parent).
    func freeBytes() -> Int64? {
        fileSystem().map { Int64($0.f_bavail) * Int64($0.f_frsize) }
    }

    /// The size of that file system.
    func totalBytes() -> Int64? {
        fileSystem().map { Int64($0.f_blocks) * Int64($0.f_frsize) }
    }

    private func fileSystem() -> statvfs? {
        var dir = path
        while !FileManager.default.fileExists(atPath: dir) {
            let parent = (dir as NSString).deletingLastPathComponent
            if parent == dir || parent.isEmpty { dir = "."; break }
            dir = parent
        }
        var info = statvfs()
        guard statvfs(dir, &info) == 0 else { return nil }
        return info
    }

    var isLow: Bool { (freeBytes() ?? .max) < minimumFreeBytes }
}
