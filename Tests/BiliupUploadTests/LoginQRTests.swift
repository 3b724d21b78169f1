import BiliupNet
import BiliupStore
import BiliupTestSupport
import BiliupUpload
import Foundation
import Testing

@Suite struct LoginQRTests {
    static let pollPath = "/x/passport-tv-login/qrcode/poll"

    @Test func aScannedCodeEndsInALoginThatIsStoredWithItsUserAndExpiry() async throws {
        let standIn = try BilibiliStandIn(directory: try loginScratch("qr-done"))
        defer { standIn.stop() }
        let alice = standIn.addAccount(mid: 1001, uname: "alice")
        standIn.qrScanAfterPolls(3, account: alice, scannedPolls: 1)
        let client = BilibiliClient(remap: standIn.remap)

        var states: [QRLoginState] = []
        for try await state in QRLogin(client: client, pollInterval: .milliseconds(5)).states() { states.append(state) }

        #expect(states.count == 4)
        guard case .code(let url, let authCode)? = states.first, case .done(let login)? = states.last else {
            Issue.record("states: \(states)")
            return
        }
        #expect(url.contains(authCode))
        #expect(Array(states[1...2]) == [.waiting, .scanned])
        // 3 waiting, 1 scanned, 1 confirmed: every poll counted, none after the login.
        #expect(standIn.requests.filter { $0.path == Self.pollPath }.count == 5)
        #expect(login.platform == "BiliTV")
        #expect(login.tokenInfo.mid == 1001)
        #expect(login.tokenInfo.accessToken == alice.accessToken)
        #expect(login.cookie("SESSDATA") == alice.sessdata)

        let loggedInAt = Date(timeIntervalSince1970: 1_700_000_000)
        let book = AccountBook(store: try loginStore("qr-done"), client: client, now: { loggedInAt })
        let entry = try await book.add(login)
        #expect(entry.name == "alice")
        #expect(entry.mid == 1001)
        #expect(entry.uname == "alice")
        #expect(entry.state == .ok)
        // The store keeps dates to the millisecond.
        #expect(abs((entry.expiresAt ?? .distantPast).timeIntervalSince(loggedInAt.addingTimeInterval(15_552_000))) < 0.001)
        #expect(try book.login("alice") == login)
    }

    @Test func anExpiredCodeIsReportedAsExpired() async throws {
        let standIn = try BilibiliStandIn(directory: try loginScratch("qr-expired"))
        defer { standIn.stop() }
        standIn.qrExpire()

        var states: [QRLoginState] = []
        for try await state in QRLogin(client: BilibiliClient(remap: standIn.remap), pollInterval: .milliseconds(5)).states() {
            states.append(state)
        }

        #expect(states.count == 2)
        #expect(states.last == .expired)
    }

    @Test func cancellingTheWaitStopsItWithACancelledError() async throws {
        let standIn = try BilibiliStandIn(directory: try loginScratch("qr-cancel"))
        defer { standIn.stop() }
        // Nobody scans, and the next poll is an hour away: only cancellation can end the wait.
        let qr = QRLogin(client: BilibiliClient(remap: standIn.remap), pollInterval: .seconds(3600))
        let ticket = try await qr.requestCode()
        let (firstState, reported) = AsyncStream.makeStream(of: QRLoginState.self)
        let wait = Task { () async -> Result<QRLoginState, UploadError> in
            do throws(UploadError) {
                return .success(try await qr.waitForConfirmation(ticket) { reported.yield($0) })
            } catch {
                return .failure(error)
            }
        }
        for await state in firstState {
            #expect(state == .waiting)
            break
        }
        wait.cancel()
        switch await wait.value {
        case .success(let state): Issue.record("finished as \(state)")
        case .failure(let error): #expect(error.kind == .cancelled)
        }
        #expect(standIn.requests.filter { $0.path == Self.pollPath }.count == 1)
    }
}

/// A fresh directory under the temporary directory for one test.
func loginScratch(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-login-tests")
        .appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// A new store in its own scratch directory.
func loginStore(_ name: String) throws -> Store {
    try Store(path: try loginScratch(name + "-store").appendingPathComponent("biliup.sqlite3").path)
}
