import BiliupStore
import Foundation

/// A Bilibili account as the API and events show it: who it is and whether its login still works,
/// never its cookies or tokens.
public struct AccountSummary: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let mid: Int64
    public let uname: String
    public let expiresAt: Date?
    public let lastCheckedAt: Date?
    public let state: AccountState
    public let stateMessage: String?

    init(_ record: AccountRecord) {
        id = record.id ?? 0
        name = record.name
        mid = record.mid
        uname = record.uname
        expiresAt = record.expiresAt
        lastCheckedAt = record.lastCheckedAt
        state = record.state
        stateMessage = record.stateMessage
    }
}
