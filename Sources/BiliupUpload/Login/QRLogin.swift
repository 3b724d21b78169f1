import BiliupNet
import Foundation

/// Where a TV QR login stands, as the poll loop reports it.
public enum QRLoginState: Sendable, Equatable {
    /// A new code: show `url` as a QR code for the Bilibili app to scan.
    case code(url: String, authCode: String)
    /// Nobody has scanned it yet.
    case waiting
    /// Scanned; the user still has to confirm on the phone.
    case scanned
    /// The code is no longer valid; a new one must be asked for.
    case expired
    /// Confirmed: the account's cookies and tokens.
    case done(LoginInfo)
}

/// Bilibili's TV QR login (biliup's "扫码登录"): ask passport for an auth code, show its URL as a QR
/// code, and poll until the app scanned and confirmed it or the code expired.
public struct QRLogin: Sendable {
    public let client: BilibiliClient
    /// How long to wait between polls; Bilibili's own TV client (and biliup) poll every second.
    public let pollInterval: Duration

    public init(client: BilibiliClient, pollInterval: Duration = .seconds(1)) {
        self.client = client
        self.pollInterval = pollInterval
    }

    public struct Ticket: Sendable, Equatable {
        public let url: String
        public let authCode: String
    }

    /// A new code to show.
    public func requestCode() async throws(UploadError) -> Ticket {
        struct Answer: Decodable, Sendable {
            let url: String
            let authCode: String
            enum CodingKeys: String, CodingKey { case url, authCode = "auth_code" }
        }
        let request = AppKey.tv.signedForm(BilibiliHosts.passport + "/x/passport-tv-login/qrcode/auth_code", [("local_id", "0")])
        let answer = try await client.call(request, "QR login code", as: Answer.self)
        return Ticket(url: answer.url, authCode: answer.authCode)
    }

    /// One poll: `.waiting`, `.scanned`, `.expired` or `.done`.
    public func poll(_ authCode: String) async throws(UploadError) -> QRLoginState {
        let context = "QR login poll"
        let request = AppKey.tv.signedForm(BilibiliHosts.passport + "/x/passport-tv-login/qrcode/poll",
                                           [("auth_code", authCode), ("local_id", "0")])
        let response = try await client.send(request, context)
        // The code decides how to read the rest: only a confirmed login carries data worth decoding.
        guard let envelope = try? JSONDecoder().decode(Envelope<IgnoredData>.self, from: Data(response.body)) else {
            throw BilibiliClient.failure(of: response, context)
        }
        switch envelope.code {
        case 0:
            guard var login = try? JSONDecoder().decode(Envelope<LoginInfo>.self, from: Data(response.body)).data else {
                throw UploadError(.badResponse, context, "the confirmed login has no token_info")
            }
            login.platform = AppKey.tv.platform
            return .done(login)
        case 86039: return .waiting
        case 86090: return .scanned
        case 86038: return .expired
        default:
            throw BilibiliClient.apiError(code: envelope.code, message: envelope.message ?? "", status: response.status, context)
        }
    }

    /// Polls `ticket` until it is confirmed (`.done`) or expired, calling `report` when the state
    /// changes (`.waiting` first). Task cancellation stops it with a `.cancelled` error.
    public func waitForConfirmation(_ ticket: Ticket, report: @Sendable (QRLoginState) -> Void) async throws(UploadError) -> QRLoginState {
        var last: QRLoginState?
        while true {
            let state = try await poll(ticket.authCode)
            if state != last { report(state) }
            last = state
            switch state {
            case .done, .expired: return state
            case .code, .waiting, .scanned: break
            }
            do {
                try await Task.sleep(for: pollInterval)
            } catch {
                throw UploadError(.cancelled, "QR login", "cancelled")
            }
        }
    }

    /// One code's whole life as a sequence: `.code`, then `.waiting` / `.scanned` as they change, and
    /// last `.done` or `.expired`. Ending the iteration early cancels the polling.
    public func states() -> AsyncThrowingStream<QRLoginState, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do throws(UploadError) {
                    let ticket = try await requestCode()
                    continuation.yield(.code(url: ticket.url, authCode: ticket.authCode))
                    _ = try await waitForConfirmation(ticket) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
