import Foundation

/// One answer of YouTube's `youtubei/v1/live_chat/get_live_chat`, decoded: the messages of its
/// `addChatItemAction`s, the continuation token for the next request, and how long the server asks the
/// client to wait before it.
public struct YouTubeLiveChat: Sendable, Equatable {
    public var messages: [DanmakuMessage]
    public var continuation: String
    /// `timeoutMs` of the continuation, when the server named one.
    public var timeout: Duration?

    /// The continuation kinds, in the order the web client looks for them.
    static let continuationKinds = ["invalidationContinuationData", "timedContinuationData",
                                    "reloadContinuationData", "liveChatReplayContinuationData"]

    public static func decode(_ body: [UInt8], receivedAt: Date) throws(DanmakuDecodeError) -> YouTubeLiveChat {
        let root: JSONElement
        do {
            root = try ScannedJSON(body).root
        } catch {
            throw .malformed("live_chat answer is not JSON")
        }
        guard let chat = root["continuationContents"]?["liveChatContinuation"] else {
            throw .malformed("live_chat answer has no liveChatContinuation (the chat has ended or is off)")
        }
        let next = continuationKinds.lazy.compactMap { chat["continuations"]?[0]?[$0] }.first
        guard let continuation = next?["continuation"]?.stringValue, !continuation.isEmpty else {
            throw .malformed("live_chat answer has no continuation")
        }
        let timeout = next?["timeoutMs"]?.int64Value.map { Duration.milliseconds(max(0, $0)) }
        let messages = (chat["actions"]?.elements ?? []).compactMap { action in
            action["addChatItemAction"]?["item"].flatMap { message(from: $0, receivedAt: receivedAt) }
        }
        return YouTubeLiveChat(messages: messages, continuation: continuation, timeout: timeout)
    }

    static func message(from item: JSONElement, receivedAt: Date) -> DanmakuMessage? {
        if let renderer = item["liveChatTextMessageRenderer"] {
            let text = runsText(renderer["message"])
            guard !text.isEmpty else { return nil }
            return DanmakuMessage(text: text, userName: authorName(renderer), uid: 0, receivedAt: receivedAt)
        }
        if let renderer = item["liveChatPaidMessageRenderer"] {
            let amount = renderer["purchaseAmountText"]?["simpleText"]?.stringValue ?? ""
            let color = renderer["bodyBackgroundColor"]?.int64Value.map { Int($0 & 0xFFFFFF) } ?? 0xFFFFFF
            return DanmakuMessage(kind: .superChat, text: runsText(renderer["message"]), userName: authorName(renderer),
                                  uid: 0, color: color, receivedAt: receivedAt, price: thousandths(of: amount),
                                  count: 1, giftName: amount.isEmpty ? "Super Chat" : "Super Chat \(amount)")
        }
        if let renderer = item["liveChatPaidStickerRenderer"] {
            let amount = renderer["purchaseAmountText"]?["simpleText"]?.stringValue ?? ""
            return DanmakuMessage(kind: .gift, text: "", userName: authorName(renderer), uid: 0, receivedAt: receivedAt,
                                  price: thousandths(of: amount), count: 1,
                                  giftName: amount.isEmpty ? "Super Sticker" : "Super Sticker \(amount)")
        }
        if let renderer = item["liveChatMembershipItemRenderer"] {
            let header = runsText(renderer["headerSubtext"])
            return DanmakuMessage(kind: .guardBuy, text: runsText(renderer["message"]), userName: authorName(renderer),
                                  uid: 0, receivedAt: receivedAt, count: 1,
                                  giftName: header.isEmpty ? "Membership" : header)
        }
        return nil
    }

    private static func authorName(_ renderer: JSONElement) -> String {
        renderer["authorName"]?["simpleText"]?.stringValue ?? ""
    }

    /// A message is a list of runs: text, or an emoji written as its first shortcut (`:smile:`) the
    /// way it is typed, or its id for a channel emoji without one. `simpleText` is the one-run form.
    static func runsText(_ message: JSONElement?) -> String {
        if let simple = message?["simpleText"]?.stringValue { return simple }
        guard let runs = message?["runs"], runs.isArray else { return "" }
        return runs.elements.map { run in
            if let emoji = run["emoji"] {
                return emoji["shortcuts"]?[0]?.stringValue ?? emoji["emojiId"]?.stringValue ?? ""
            }
            return run["text"]?.stringValue ?? ""
        }.joined()
    }

    /// "$5.00", "¥1,000", "CA$10.00" → the amount in thousandths of the currency unit (the unit biliup
    /// uses for Bilibili's super chat prices); the currency itself stays in the gift name.
    static func thousandths(of amount: String) -> Int64 {
        let number = amount.filter { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard let value = Double(number), value.isFinite, value >= 0, value < 1e12 else { return 0 }
        return Int64((value * 1000).rounded())
    }
}
