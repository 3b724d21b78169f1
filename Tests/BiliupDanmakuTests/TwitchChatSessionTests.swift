import Foundation
import Testing
@testable import BiliupDanmaku

@Suite struct TwitchChatSessionTests {
    let now = Date(timeIntervalSince1970: 1_733_120_002)

    @Test func registersOneLinePerMessageAndAnswersPings() throws {
        let session = TwitchChatSession(channel: "Streamer_1", nickNumber: 31337)
        #expect(session.openingFrames() == [
            .text("CAP REQ :twitch.tv/tags twitch.tv/commands"), .text("PASS SCHMOOPIIE"), .text("NICK justinfan31337"),
            .text("JOIN #streamer_1"),
        ])
        #expect(session.heartbeatInterval == .seconds(40))
        #expect(session.heartbeatFrame() == .text("PING"))
        let frame = ":tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands\r\n"
            + "@color=#FF4500;display-name=Chatter;user-id=77 :chatter!chatter@chatter.tmi.twitch.tv PRIVMSG #streamer_1 :hi there\r\n"
            + "PING :tmi.twitch.tv\r\n"
        let receipt = try session.receive(.text(frame), at: now)
        #expect(receipt.messages == [DanmakuMessage(text: "hi there", userName: "Chatter", uid: 77, color: 0xFF4500, receivedAt: now)])
        #expect(receipt.replies == [.text("PONG :tmi.twitch.tv")])
    }

    @Test func randomNicksAreJustinfanNumbers() {
        guard case .text(let nick)? = TwitchChatSession(channel: "c").openingFrames().dropFirst(2).first else {
            Issue.record("no NICK line"); return
        }
        #expect(nick.hasPrefix("NICK justinfan"))
        #expect(Int(nick.dropFirst("NICK justinfan".count)) != nil)
    }

    @Test func binaryFramesThrow() {
        #expect(throws: DanmakuDecodeError.self) {
            try TwitchChatSession(channel: "c", nickNumber: 1).receive(.binary([0x50, 0x49]), at: now)
        }
    }
}
