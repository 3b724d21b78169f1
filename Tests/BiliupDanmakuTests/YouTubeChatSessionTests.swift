import BiliupValues
import Foundation
import Testing
@testable import BiliupDanmaku

@Suite struct YouTubeChatSessionTests {
    let now = Date(timeIntervalSince1970: 1_733_120_004)
    let apiURL = "https://www.youtube.com/youtubei/v1/live_chat/get_live_chat?key=AIzaTestKey"

    /// An answer shaped like get_live_chat's (fields the client does not read trimmed).
    func answer(continuation: String, kind: String = "invalidationContinuationData", timeoutMs: Int = 5000,
                actions: String) -> [UInt8] {
        Array(("""
        {"responseContext":{"serviceTrackingParams":[]},"continuationContents":{"liveChatContinuation":{
          "continuations":[{"\(kind)":{"invalidationId":{"objectSource":1056},"timeoutMs":\(timeoutMs),"continuation":"\(continuation)"}}],
          "actions":[\(actions)]}},"trackingParams":"x"}
        """).utf8)
    }

    let textAction = #"""
    {"addChatItemAction":{"item":{"liveChatTextMessageRenderer":{"message":{"runs":[{"text":"hello "},
      {"emoji":{"emojiId":"😀","shortcuts":[":grinning:",":D"],"isCustomEmoji":false}},{"text":" & bye"},
      {"emoji":{"emojiId":"UCx/abc","isCustomEmoji":true}}]},
      "authorName":{"simpleText":"Viewer A"},"authorExternalChannelId":"UCaaaaaaaaaaaaaaaaaaaaaa",
      "id":"Ch1","timestampUsec":"1733120003500000"}},"clientId":"c1"}}
    """#
    let paidAction = #"""
    {"addChatItemAction":{"item":{"liveChatPaidMessageRenderer":{"id":"Ch2","timestampUsec":"1733120003600000",
      "authorName":{"simpleText":"Supporter"},"purchaseAmountText":{"simpleText":"¥1,000"},
      "message":{"runs":[{"text":"great stream"}]},"bodyBackgroundColor":4294953512}}}}
    """#
    let ignoredActions = #"""
    {"addLiveChatTickerItemAction":{"item":{}}},{"markChatItemAsDeletedAction":{"targetItemId":"Ch1"}},
    {"addChatItemAction":{"item":{"liveChatViewerEngagementMessageRenderer":{"id":"e"}}}}
    """#

    @Test func postsTheContinuationAndFollowsTheNextOne() throws {
        let session = YouTubeChatSession(apiURL: apiURL, continuation: "0ofMyANfirst", clientVersion: "2.20261201.01.00",
                                         headers: [ChatHeader("User-Agent", "UA/1")])
        let first = session.nextRequest()
        #expect(first.url == apiURL)
        #expect(first.method == "POST")
        #expect(first.headers == [ChatHeader("User-Agent", "UA/1"), ChatHeader("Content-Type", "application/json")])
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(first.body ?? []))
        #expect(body == ["context": ["client": ["clientName": "WEB", "clientVersion": "2.20261201.01.00"]],
                         "continuation": "0ofMyANfirst"])

        let receipt = try session.receive(status: 200, body: answer(continuation: "0ofMyANsecond", timeoutMs: 2500,
                                                                       actions: [textAction, ignoredActions, paidAction].joined(separator: ",")),
                                          at: now)
        #expect(receipt.delay == .milliseconds(2500))
        #expect(receipt.messages == [
            DanmakuMessage(text: "hello :grinning: & byeUCx/abc", userName: "Viewer A", uid: 0, receivedAt: now),
            DanmakuMessage(kind: .superChat, text: "great stream", userName: "Supporter", uid: 0, color: 0xFFCA28,
                           receivedAt: now, price: 1_000_000, count: 1, giftName: "Super Chat ¥1,000"),
        ])
        let second = try ScannedJSON(session.nextRequest().body ?? []).root
        #expect(second["continuation"]?.stringValue == "0ofMyANsecond")
    }

    @Test func boundsTheServersDelay() throws {
        let session = YouTubeChatSession(apiURL: apiURL, continuation: "a", clientVersion: "2.0")
        #expect(try session.receive(status: 200, body: answer(continuation: "b", timeoutMs: 0, actions: ""), at: now).delay
            == YouTubeChatSession.minimumDelay)
        #expect(try session.receive(status: 200, body: answer(continuation: "c", kind: "timedContinuationData",
                                                              timeoutMs: 600_000, actions: ""), at: now).delay
            == YouTubeChatSession.maximumDelay)
        #expect(session.continuation == "c")
    }

    @Test func endedChatsErrorsAndGarbageThrow() {
        let session = YouTubeChatSession(apiURL: apiURL, continuation: "a", clientVersion: "2.0")
        #expect(throws: DanmakuDecodeError.malformed("live_chat answered HTTP 403")) {
            try session.receive(status: 403, body: Array("{}".utf8), at: now)
        }
        #expect(throws: DanmakuDecodeError.self) {
            try session.receive(status: 200, body: Array(#"{"continuationContents":{"liveChatContinuation":{"actions":[]}}}"#.utf8), at: now)
        }
        #expect(throws: DanmakuDecodeError.self) { try session.receive(status: 200, body: Array("<html>".utf8), at: now) }
        #expect(session.continuation == "a")
    }

    @Test func survivesMutatedAnswers() {
        let frame = answer(continuation: "n", actions: textAction)
        var decoded = 0
        for bytes in mutations(of: frame, count: fuzzIterations(default: 1000), seed: 51) {
            decoded += (try? YouTubeLiveChat.decode(bytes, receivedAt: now).messages.count) ?? 0
        }
        #expect(decoded > 0)
    }
}
