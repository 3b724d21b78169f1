import Foundation
import Testing
import BiliupStore

@Suite struct UserTests {
    @Test func usersHaveUniqueNamesAndTheLastAdminStays() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let admin = try store.addUser(UserRecord(name: "root", passwordHash: "$2b$x", admin: true))
            #expect(storeError { try store.addUser(UserRecord(name: "root", passwordHash: "h", admin: false)) }?.kind == .conflict)
            #expect(storeError { try store.deleteUser(id: admin.id!) }?.message == "user 'root' is the last admin")
            #expect(storeError { try store.updateUser(id: admin.id!, admin: false) }?.kind == .conflict)

            let second = try store.addUser(UserRecord(name: "ops", passwordHash: "h", admin: true))
            try store.updateUser(id: admin.id!, admin: false)
            #expect(try store.user(id: admin.id!)?.admin == false)
            #expect(try store.users().map(\.name) == ["ops", "root"])
            #expect(storeError { try store.deleteUser(id: second.id!) }?.kind == .conflict)
            #expect(storeError { try store.deleteUser(id: 999) }?.kind == .notFound)
        }
    }

    @Test func tokensResolveToTheirUserUntilTheyExpireOrTheUserGoes() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let admin = try store.addUser(UserRecord(name: "root", passwordHash: "h", admin: true))
            let user = try store.addUser(UserRecord(name: "viewer", passwordHash: "h", admin: false))
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            try store.addToken(TokenRecord(userId: user.id!, kind: .session, name: "login", secretHash: "aa", expiresAt: now + 60))
            let api = try store.addToken(TokenRecord(userId: admin.id!, kind: .api, name: "script", secretHash: "bb"))

            #expect(try store.token(secretHash: "aa", at: now)?.1.name == "viewer")
            #expect(try store.token(secretHash: "aa", at: now + 61) == nil)
            #expect(try store.token(secretHash: "aa", at: now) == nil)  // the expired one was deleted
            #expect(try store.apiTokens().map(\.name) == ["script"])

            try store.touchTokens([api.id!], at: now)
            #expect(try store.token(secretHash: "bb", at: now)?.0.lastUsedAt == now)

            try store.addToken(TokenRecord(userId: user.id!, kind: .session, name: "login", secretHash: "cc"))
            try store.updateUser(id: user.id!, passwordHash: "new")
            #expect(try store.token(secretHash: "cc") == nil)  // a new password ends the sessions

            try store.addToken(TokenRecord(userId: user.id!, kind: .api, name: "x", secretHash: "dd"))
            try store.deleteUser(id: user.id!)
            #expect(try store.token(secretHash: "dd") == nil)
            #expect(storeError { try store.addToken(TokenRecord(userId: 999, kind: .api, name: "x", secretHash: "ee")) }?.kind == .notFound)
        }
    }

    @Test func settingsAreSetAndCleared() throws {
        try withTempDir { dir in
            let store = try dir.store()
            try store.updateSettings(["delay": 60, "format": "mkv"])
            try store.updateSettings(["delay": .null, "max_recordings": 3])
            #expect(try store.settings() == ["format": "mkv", "max_recordings": 3])
            try store.close()
            #expect(try dir.store().settings() == ["format": "mkv", "max_recordings": 3])
        }
    }
}
