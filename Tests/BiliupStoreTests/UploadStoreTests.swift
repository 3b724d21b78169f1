import Foundation
import Testing
@testable import BiliupStore

@Suite struct UploadStoreTests {
    private func session(path: String = "/rec/a.flv", size: Int64 = 30_000_000, mtime: Double = 1_700_000_000.123456789,
                         accountId: Int64? = nil, uploadId: String = "u1") -> UploadFileRecord {
        UploadFileRecord(accountId: accountId, path: path, size: size, mtime: mtime, line: "bda2",
                         endpoint: "//upos-cs-upcdnbda2.bilivideo.com", uposURI: "upos://ugc/n1.flv", auth: "ak=1&sign=x",
                         bizId: 1_400_000_001, uploadId: uploadId, chunkSize: 10_485_760)
    }

    @Test func aSessionIsFoundByItsFileIdentityOnly() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let account = try store.saveAccount(AccountRecord(name: "main", mid: 7, uname: "u", loginInfo: "{}", expiresAt: nil))
            let started = try store.startUploadFile(session(accountId: account.id))
            #expect(started.id != nil)
            #expect(started.state == .uploading)
            #expect(try store.uploadFile(id: started.id!) == started)

            let found = try store.resumableUploadFile(path: "/rec/a.flv", size: 30_000_000, mtime: 1_700_000_000.123456789,
                                                      accountId: account.id)
            #expect(found == started)
            // Another size, another mtime (the file changed) or another account: a different upload.
            #expect(try store.resumableUploadFile(path: "/rec/a.flv", size: 30_000_001, mtime: 1_700_000_000.123456789, accountId: account.id) == nil)
            #expect(try store.resumableUploadFile(path: "/rec/a.flv", size: 30_000_000, mtime: 1_700_000_000.124, accountId: account.id) == nil)
            #expect(try store.resumableUploadFile(path: "/rec/a.flv", size: 30_000_000, mtime: 1_700_000_000.123456789, accountId: nil) == nil)
        }
    }

    @Test func partsAreKeptByNumberAndAResendReplacesTheRow() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let id = try store.startUploadFile(session()).id!
            try store.saveUploadPart(UploadPartRecord(uploadFileId: id, partNumber: 3, eTag: "e3", bytes: 100))
            try store.saveUploadPart(UploadPartRecord(uploadFileId: id, partNumber: 1, eTag: "e1", bytes: 10_485_760))
            try store.saveUploadPart(UploadPartRecord(uploadFileId: id, partNumber: 3, eTag: "e3b", bytes: 100))
            #expect(try store.uploadParts(uploadFileId: id) == [
                UploadPartRecord(uploadFileId: id, partNumber: 1, eTag: "e1", bytes: 10_485_760),
                UploadPartRecord(uploadFileId: id, partNumber: 3, eTag: "e3b", bytes: 100),
            ])
        }
    }

    @Test func abandonedSessionsAreNotResumedAndFinishedOnesAre() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let old = try store.startUploadFile(session(uploadId: "old"))
            try store.saveUploadPart(UploadPartRecord(uploadFileId: old.id!, partNumber: 1, eTag: "e", bytes: 5))
            let abandoned = try store.markUploadFile(id: old.id!, state: .abandoned)
            #expect(abandoned.state == .abandoned)
            #expect(try store.resumableUploadFile(path: "/rec/a.flv", size: 30_000_000, mtime: 1_700_000_000.123456789, accountId: nil) == nil)

            let new = try store.startUploadFile(session(uploadId: "new"))
            #expect(try store.uploadParts(uploadFileId: new.id!).isEmpty)
            let done = try store.markUploadFile(id: new.id!, state: .uploaded, remoteName: "n1")
            #expect(done.remoteName == "n1")
            let found = try store.resumableUploadFile(path: "/rec/a.flv", size: 30_000_000, mtime: 1_700_000_000.123456789, accountId: nil)
            #expect(found?.uploadId == "new")
            #expect(found?.state == .uploaded)
            #expect(try store.uploadFiles(path: "/rec/a.flv").map(\.uploadId) == ["old", "new"])
        }
    }

    @Test func markingAMissingSessionSaysNotFound() throws {
        try withTempDir { dir in
            let store = try dir.store()
            #expect(storeError { try store.markUploadFile(id: 42, state: .uploaded) }?.kind == .notFound)
        }
    }
}
