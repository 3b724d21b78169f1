import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Generated media kept between tests and test runs, so each file is encoded once.
///
/// A file lock per item serializes its makers: threads of one test process and parallel test processes
/// alike (flock locks belong to each open file description, so two threads conflict as two processes
/// do). An item counts as made only once its `.done` marker exists; anything without a marker is a
/// leftover of an interrupted run and is made again.
enum MediaCache {
    static let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("biliup-test-media", isDirectory: true)

    /// Part of every item name: bump it when a recipe changes, so stale files from older runs are not reused.
    private static let recipeVersion = "v1"

    /// The cached item `name` (a file or a directory), made by `make(url)` first if needed.
    static func item(_ name: String, make: (URL) throws -> Void) throws -> URL {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        let stem = "\(recipeVersion)-\(name)"
        let url = directory.appendingPathComponent(stem)
        let marker = directory.appendingPathComponent(stem + ".done")

        let lockFD = open(directory.appendingPathComponent(stem + ".lock").path, O_CREAT | O_RDWR, 0o644)
        guard lockFD >= 0 else { throw TestSupportError.socket("open lock file for \(stem)", errno: errno) }
        defer { close(lockFD) }  // closing releases the lock
        guard flock(lockFD, LOCK_EX) == 0 else { throw TestSupportError.socket("flock \(stem)", errno: errno) }

        if fileManager.fileExists(atPath: marker.path) { return url }
        try? fileManager.removeItem(at: url)
        do {
            try make(url)
        } catch {
            try? fileManager.removeItem(at: url)
            throw error
        }
        try Data().write(to: marker)
        return url
    }
}
