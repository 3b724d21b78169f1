import Foundation

/// One message a chat stand-in sends, in platform-neutral terms: each stand-in encodes it the way its
/// platform does, and tests compare what a client decoded with the stand-in's record of these.
public struct StandInChatMessage: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case chat, gift, superChat, guardBuy
    }

    /// Position in the script, counted across connections (a reconnect continues where the last left off).
    public var index: Int
    public var kind: Kind
    /// Chat and super chat text; empty for gifts and guard purchases.
    public var text: String
    public var userName: String
    public var uid: Int64
    /// 24-bit RGB.
    public var color: Int
    /// In the platform's unit (Bilibili: yuan for super chats, as its JSON has it).
    public var price: Int64
    public var count: Int64
    public var giftName: String
}

/// A fault a stand-in injects once, before the message with index `beforeMessage` (so the messages
/// before it all went out). After sending a broken frame the stand-in sends nothing more on that
/// connection and waits for the client to drop it; the next connection continues the script.
public struct ChatFault: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A frame of random bytes where a protocol frame belongs.
        case garbage
        /// A frame whose own length field promises more than it holds.
        case truncated
        /// A compressed body that expands past the client's limit (zlib/brotli/gzip where the platform
        /// compresses; elsewhere a frame or message larger than any client accepts).
        case bomb
        /// The server ends the connection cleanly (a WebSocket close, a TCP FIN, an HTTP 503).
        case close
        /// The server cuts the connection with a TCP reset.
        case reset
    }

    public var beforeMessage: Int
    public var kind: Kind

    public init(_ kind: Kind, beforeMessage: Int) {
        self.kind = kind
        self.beforeMessage = beforeMessage
    }
}

/// What a chat stand-in sends once a client has registered: `messages` messages, all at once or at
/// `perSecond`, the kinds taken in turn from `kinds`, optionally stamped, with faults on the way.
public struct ChatScript: Sendable {
    public var messages: Int
    /// nil: as fast as the connection takes them.
    public var perSecond: Double?
    /// Taken in turn (message i has kind `kinds[i % kinds.count]`); a platform without a kind sends
    /// chat in its place.
    public var kinds: [StandInChatMessage.Kind]
    /// Called when message i is about to go out; its value leads the message's text. Acceptance 2
    /// passes the live source's stream time here, so every message says where in the video it belongs.
    public var stamp: (@Sendable (Int) -> String)?
    public var faults: [ChatFault]

    public init(messages: Int = 10, perSecond: Double? = nil, kinds: [StandInChatMessage.Kind] = [.chat],
                stamp: (@Sendable (Int) -> String)? = nil, faults: [ChatFault] = []) {
        precondition(!kinds.isEmpty, "a chat script needs at least one kind")
        precondition(perSecond.map { $0 > 0 } ?? true, "a chat script's rate must be positive")
        self.messages = messages
        self.perSecond = perSecond
        self.kinds = kinds
        self.stamp = stamp
        self.faults = faults
    }

    /// The text of chat message `index`: markup, an ampersand, quotes, and the separators of Douyu's STT
    /// (`/`, `@`) are in it, so every encoder and decoder on the way has to escape them right.
    public static func text(index: Int, stamp: String?) -> String {
        if let stamp { return "\(stamp) #\(index)" }
        return "弹幕 #\(index) <b>&\"a/b@c\""
    }

    /// The message index in a text made by `text(index:stamp:)`.
    public static func index(inText text: String) -> Int? {
        guard let hash = text.lastIndex(of: "#") else { return nil }
        return Int(text[text.index(after: hash)...].prefix { $0.isNumber })
    }

    /// The stamp in a text made by `text(index:stamp:)` with a stamp.
    public static func stamp(inText text: String) -> String? {
        guard let range = text.range(of: " #", options: .backwards) else { return nil }
        return String(text[..<range.lowerBound])
    }

    /// Message `index` as the script makes it: user names, ids, colours and gift fields vary with the
    /// index so that a decoder mixing up fields fails the comparison.
    func message(index: Int, supported: Set<StandInChatMessage.Kind>) -> StandInChatMessage {
        let wanted = kinds[index % kinds.count]
        let kind = supported.contains(wanted) ? wanted : .chat
        let palette = [0xFFFFFF, 0xFE0302, 0x00CD00, 0x4266BE, 0xFF7204, 0x9B39F4, 0xFF69B4]
        let stampValue = stamp?(index)
        let user = "观众\(index % 10)号"
        switch kind {
        case .chat:
            return StandInChatMessage(index: index, kind: .chat, text: Self.text(index: index, stamp: stampValue),
                                      userName: user, uid: 10_000 + Int64(index), color: palette[index % palette.count],
                                      price: 0, count: 0, giftName: "")
        case .gift:
            return StandInChatMessage(index: index, kind: .gift, text: "", userName: user, uid: 10_000 + Int64(index),
                                      color: 0xFFFFFF, price: 100, count: Int64(1 + index % 5), giftName: "小心心")
        case .superChat:
            return StandInChatMessage(index: index, kind: .superChat, text: Self.text(index: index, stamp: stampValue),
                                      userName: user, uid: 10_000 + Int64(index), color: 0xFFFFFF,
                                      price: 30, count: 1, giftName: "醒目留言")
        case .guardBuy:
            return StandInChatMessage(index: index, kind: .guardBuy, text: "", userName: user, uid: 10_000 + Int64(index),
                                      color: 0xFFFFFF, price: 198_000, count: 1, giftName: "舰长")
        }
    }
}
