import Foundation
import Testing
@testable import BiliupStore

/// The database holds password and token hashes: no other user of the machine may read it.
@Suite struct StorePermissionTests {
    private func mode(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : nil
    }

    @Test func aNewDatabaseAndItsLogAreOwnerOnly() throws {
        try withTempDir { dir in
            let path = dir.file("data/biliup.sqlite3")
            let store = try Store(path: path)
            try store.addUser(UserRecord(name: "a", passwordHash: "x", admin: true))
            #expect(mode(path) == 0o600)
            #expect(mode(path + "-wal") == 0o600)
        }
    }

    @Test func anOlderWorldReadableDatabaseIsTightened() throws {
        try withTempDir { dir in
            let path = dir.file("old.sqlite3")
            try Store(path: path).close()
            #expect(chmod(path, 0o644) == 0)
            _ = try Store(path: path)
            #expect(mode(path) == 0o600)
        }
    }
}
