import Foundation

/// One thing said or bought in a live room's chat, in the shape every platform's decoder produces and the
/// XML writer consumes.
public struct DanmakuMessage: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case chat
        case gift
        case superChat
        case guardBuy
    }

    public var kind: Kind
    /// What the viewer wrote; for a super chat its message. Empty for gifts and guard purchases, whose
    /// wording the XML writer builds from the gift fields, as biliup does.
    public var text: String
    public var userName: String
    public var uid: Int64
    /// 24-bit RGB.
    public var color: Int
    /// When the frame carrying the message arrived here: the XML's time axis.
    public var receivedAt: Date
    /// In the platform's smallest unit, as biliup writes it (Bilibili: 1/1000 yuan, so a super chat's
    /// yuan price is multiplied by 1000). Zero for chat.
    public var price: Int64
    public var count: Int64
    public var giftName: String

    public init(kind: Kind = .chat, text: String, userName: String, uid: Int64, color: Int = 0xFFFFFF,
                receivedAt: Date, price: Int64 = 0, count: Int64 = 0, giftName: String = "") {
        self.kind = kind
        self.text = text
        self.userName = userName
        self.uid = uid
        self.color = color
        self.receivedAt = receivedAt
        self.price = price
        self.count = count
        self.giftName = giftName
    }
}
