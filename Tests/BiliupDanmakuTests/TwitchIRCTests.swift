import Foundation
import Testing
@testable import BiliupDanmaku

@Suite struct TwitchIRCTests {
    let now = Date(timeIntervalSince1970: 1_733_120_000)

    @Test func decodesPrivmsgAndAnswersPing() {
        let frame = "@badge-info=;badges=;color=#1E90FF;display-name=Viewer\\sOne;emotes=;id=b34ccfc7;mod=0;room-id=12826;"
            + "tmi-sent-ts=1733120000000;user-id=987654 :viewerone!viewerone@viewerone.tmi.twitch.tv PRIVMSG #channel :hello :) world\r\n"
            + ":nocolor!nocolor@nocolor.tmi.twitch.tv PRIVMSG #channel :\u{1}ACTION waves\u{1}\r\n"
            + "PING :tmi.twitch.tv\r\n"
            + ":tmi.twitch.tv 001 justinfan123 :Welcome, GLHF!\r\n"
            + ":tmi.twitch.tv PONG tmi.twitch.tv :tmi.twitch.tv\r\n"
        #expect(TwitchIRC.decode(frame, receivedAt: now) == [
            .message(DanmakuMessage(text: "hello :) world", userName: "Viewer One", uid: 987654, color: 0x1E90FF, receivedAt: now)),
            .message(DanmakuMessage(text: "waves", userName: "nocolor", uid: 0, receivedAt: now)),
            .reply("PONG :tmi.twitch.tv"),
        ])
    }

    @Test func registersAnonymously() {
        #expect(TwitchIRC.registration(channel: "SomeChannel", nickNumber: 4242) == [
            "CAP REQ :twitch.tv/tags twitch.tv/commands", "PASS SCHMOOPIIE", "NICK justinfan4242", "JOIN #somechannel",
        ])
    }

    @Test func survivesMutatedLines() {
        let line = Array("@color=#FF0000;display-name=a\\:b;user-id=1 :a!a@a PRIVMSG #c :text\r\nPING :x\r\n".utf8)
        var decodedLines = 0
        for bytes in mutations(of: line, count: fuzzIterations(default: 3000), seed: 30) {
            decodedLines += TwitchIRC.decode(String(decoding: bytes, as: UTF8.self), receivedAt: now).count
        }
        #expect(decodedLines > 0)
    }
}
