import Foundation
import GRDB

/// The engine's memory: streamers, templates, sessions, segments and the event log, in one SQLite file.
///
/// Safe to use from any thread: a WAL-mode `DatabasePool` lets readers (the API, the uploader) run while
/// the engine writes, and serializes the writes. Every method is one transaction.
public final class Store: Sendable {
    /// The database file, as given.
    public let path: String
    /// How many events the log keeps; older ones are deleted.
    public let maxEvents: Int

    let pool: DatabasePool
    /// Where `off` runs the API's reads (see Store+Queue).
    let queue = DispatchQueue(label: "biliup.store")

    /// Another process (a second `biliup` command, `sqlite3`) may hold the write lock for a moment;
    /// waiting for it is better than failing the recorder's write.
    static let busyTimeout: TimeInterval = 5

    /// Opens (creating it and its parent directories if needed) and migrates the database at `path`.
    public init(path: String, maxEvents: Int = 100_000) throws {
        precondition(maxEvents > 0, "maxEvents must be positive")
        self.path = path
        self.maxEvents = maxEvents
        do {
            try Self.createDirectory((path as NSString).deletingLastPathComponent)
            Self.restrictToOwner(path)
            var config = Configuration()
            config.foreignKeysEnabled = true  // GRDB's default; stated because the schema relies on it
            config.busyMode = .timeout(Self.busyTimeout)
            pool = try DatabasePool(path: path, configuration: config)
            let migrator = Schema.migrator
            if try pool.read(migrator.hasBeenSuperseded) {
                throw StoreError(.open, "it was written by a newer version of biliup; upgrade biliup")
            }
            try migrator.migrate(pool)
        } catch {
            let reason = (error as? StoreError)?.message
                ?? (error as? DatabaseError)?.message
                ?? "\(error)"
            throw StoreError(.open, "cannot open \(path): \(reason)")
        }
    }

    /// The identifiers of the migrations applied to this database, oldest first ("v1", ...).
    public func appliedMigrations() throws -> [String] {
        try read { db in try Schema.migrator.appliedMigrations(db) }
    }

    /// Closes the database (checkpointing the WAL into the main file). The store is unusable after.
    public func close() throws {
        do { try pool.close() } catch { throw StoreError.wrapping(error, path: path) }
    }

    func write<T>(_ updates: (Database) throws -> T) throws -> T {
        do { return try pool.write(updates) } catch { throw StoreError.wrapping(error, path: path) }
    }

    func read<T>(_ value: (Database) throws -> T) throws -> T {
        do { return try pool.read(value) } catch { throw StoreError.wrapping(error, path: path) }
    }

    /// The database holds password and token hashes (and account cookies): readable by its owner only.
    /// It is created 0600, and an older one is tightened; SQLite gives its -wal and -shm files the
    /// database's mode.
    private static func restrictToOwner(_ path: String) {
        let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd >= 0 { Foundation.close(fd) }
        for file in [path, path + "-wal", path + "-shm"] { _ = chmod(file, 0o600) }
    }

    /// Creates `directory` and its missing parents, with a reason that names the culprit when a
    /// component is a file or cannot be created.
    private static func createDirectory(_ directory: String) throws {
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: prefix, isDirectory: &isDirectory) {
                if isDirectory.boolValue { continue }
                throw StoreError(.open, "\(prefix) is not a directory")
            }
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw StoreError(.open, "cannot create directory \(prefix): \(String(cString: strerror(errno)))")
            }
        }
    }
}
