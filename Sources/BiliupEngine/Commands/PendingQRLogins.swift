import BiliupUpload
import Foundation

/// Where a QR login started through the engine stands.
public enum QRLoginProgress: Sendable, Equatable {
    case waiting
    /// Scanned; the user still has to confirm on the phone.
    case scanned
    /// The code is no longer valid: start a new login.
    case expired
    /// Confirmed and stored as this account.
    case done(AccountBook.Entry)
    case cancelled

    var isFinal: Bool {
        switch self {
        case .waiting, .scanned: false
        case .expired, .done, .cancelled: true
        }
    }
}

/// The QR logins a person started through the API and has not finished: few at once (each is a code
/// on someone's screen), each forgotten once its code's life is over.
final class PendingQRLogins {
    /// Bilibili's TV codes live 180 s.
    static let lifetime: TimeInterval = 180
    static let maxPending = 4
    /// At most one passport poll per login in this time, however often a client asks.
    static let pollInterval: TimeInterval = 1

    struct Login {
        let id: Int64
        let authCode: String
        let url: String
        /// The account's name when stored; nil: its Bilibili user name.
        let name: String?
        let expiresAt: Date
        var progress: QRLoginProgress = .waiting
        var lastPollAt: Date?
        var polling = false
    }

    private var logins: [Int64: Login] = [:]
    private var nextId: Int64 = 1

    /// Adds a login, dropping the oldest when there are too many.
    func add(authCode: String, url: String, name: String?, now: Date) -> Login {
        prune(now: now)
        while logins.count >= Self.maxPending, let oldest = logins.keys.min() { logins[oldest] = nil }
        let login = Login(id: nextId, authCode: authCode, url: url, name: name, expiresAt: now.addingTimeInterval(Self.lifetime))
        nextId += 1
        logins[login.id] = login
        return login
    }

    /// The login, expired when its time is up (it is then forgotten after this answer).
    func login(_ id: Int64, now: Date) -> Login? {
        guard var login = logins[id] else { return nil }
        if now >= login.expiresAt, !login.progress.isFinal {
            login.progress = .expired
            logins[id] = nil
            return login
        }
        if now >= login.expiresAt { logins[id] = nil }
        return login
    }

    func update(_ login: Login) {
        guard logins[login.id] != nil else { return }
        logins[login.id] = login
    }

    /// Forgets logins whose codes have expired.
    private func prune(now: Date) {
        logins = logins.filter { now < $0.value.expiresAt }
    }
}
