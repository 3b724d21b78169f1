import Foundation

/// Free space where recordings go. Below the configured minimum no recording starts and running ones
/// are stopped (their files closed and playable), instead of filling the disk or looping on empty files.
struct DiskGuard: Sendable {
    let path: String
    let minimumFreeBytes: Int64
    /// Reads the free bytes at a path: `statFreeBytes`, or a test's reading.
    var reading: @Sendable (String) -> Int64? = DiskGuard.statFreeBytes

    func freeBytes() -> Int64? { reading(path) }

    /// The size of the file system holding `path`.
    func totalBytes() -> Int64? {
        Self.fileSystem(path).map { Int64($0.f_blocks) * Int64($0.f_frsize) }
    }

    var isLow: Bool { (freeBytes() ?? .max) < minimumFreeBytes }

    /// Free bytes for an unprivileged writer on the file system holding `path` (or its nearest existing parent).
    @Sendable static func statFreeBytes(_ path: String) -> Int64? {
        fileSystem(path).map { Int64($0.f_bavail) * Int64($0.f_frsize) }
    }

    private static func fileSystem(_ path: String) -> statvfs? {
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
}
