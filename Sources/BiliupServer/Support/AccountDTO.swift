import BiliupEngine
import BiliupStore
import BiliupUpload
import BiliupValues
import Foundation

// What the accounts routes send: who an account is and whether its login works, never its cookies or tokens.

struct AccountDTO: Encodable, Sendable {
    let id: Int64
    let name: String
    let mid: Int64
    let uname: String
    let expiresAt: Nullable<Double>
    let lastCheckedAt: Nullable<Double>
    /// "ok", or "needs_login" once Bilibili refused it.
    let state: String
    let stateMessage: Nullable<String>

    init(_ a: AccountBook.Entry) {
        id = a.id
        name = a.name
        mid = a.mid
        uname = a.uname
        expiresAt = Nullable(a.expiresAt?.timeIntervalSince1970)
        lastCheckedAt = Nullable(a.lastCheckedAt?.timeIntervalSince1970)
        state = a.state == .ok ? "ok" : "needs_login"
        stateMessage = Nullable(a.stateMessage)
    }
}

struct QRLoginStartDTO: Encodable {
    let id: Int64
    /// What the QR code encodes, for a client that draws its own.
    let url: String
    /// The QR code as a PNG data URL, ready for an <img>.
    let qrPng: String
    let expiresAt: Double
}

struct QRLoginDTO: Encodable {
    let id: Int64
    let state: String
    /// The stored account, once `state` is "done".
    let account: Nullable<AccountDTO>

    init(id: Int64, _ progress: QRLoginProgress) {
        self.id = id
        switch progress {
        case .waiting: state = "waiting"; account = Nullable(nil)
        case .scanned: state = "scanned"; account = Nullable(nil)
        case .expired: state = "expired"; account = Nullable(nil)
        case .cancelled: state = "cancelled"; account = Nullable(nil)
        case .done(let a): state = "done"; account = Nullable(AccountDTO(a))
        }
    }
}

/// `POST /api/accounts/qr`.
struct QRLoginInput: RequestBody {
    /// The account's name; absent: its Bilibili user name.
    let name: String?
}

/// `POST /api/accounts/import`.
struct AccountImportInput: RequestBody {
    /// biliup's cookies.json, as an object.
    let cookies: [String: JSONValue]
    let name: String?
}
