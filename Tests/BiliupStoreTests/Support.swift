import Foundation
import GRDB
import BiliupStore

/// Runs `body` with a directory of its own, removed afterwards (after the stores opened in it are gone).
func withTempDir(_ body: (TempDir) throws -> Void) throws {
    let dir = TempDir(path: FileManager.default.temporaryDirectory
        .appendingPathComponent("biliup-store-\(UUID().uuidString)").path)
    try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir.path) }
    try body(dir)
}

struct TempDir {
    let path: String

    func file(_ name: String) -> String { path + "/" + name }

    /// A store at data/biliup.sqlite3 in this directory, as the engine opens it.
    func store(maxEvents: Int = 100_000) throws -> Store {
        try Store(path: file("data/biliup.sqlite3"), maxEvents: maxEvents)
    }

    /// A second, read-only connection to the same file, to look at what the store wrote.
    func inspect<T>(_ read: (Database) throws -> T) throws -> T {
        var config = Configuration()
        config.readonly = true
        return try DatabaseQueue(path: file("data/biliup.sqlite3"), configuration: config).read(read)
    }
}

/// The error a throwing call threw, for checking its kind and message.
func storeError(_ body: () throws -> Void) -> StoreError? {
    do {
        try body()
        return nil
    } catch {
        return error as? StoreError
    }
}

let t0 = Date(timeIntervalSince1970: 1_700_000_000.25)
