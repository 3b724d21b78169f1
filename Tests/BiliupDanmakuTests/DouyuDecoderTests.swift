import Foundation
import Testing
@testable import BiliupDanmaku

@Suite struct DouyuDecoderTests {
    let now = Date(timeIntervalSince1970: 1_733_120_000)

    /// A server frame built byte by byte: type 690, as Douyu's server sends.
    func serverFrame(_ body: String, lengthField: UInt32? = nil) -> [UInt8] {
        let payload = Array(body.utf8)
        let length = lengthField ?? UInt32(9 + payload.count)
        let le = withUnsafeBytes(of: length.littleEndian) { Array($0) }
        return le + le + [0xB2, 0x02, 0, 0] + payload + [0]
    }

    let chat = "type@=chatmsg/rid@=9999/uid@=123456/nn@=斗鱼@A用户/txt@=a@Sb@Ac 666/cid@=abc/col@=2/level@=10/"
    let gift = "type@=dgb/rid@=9999/gfid@=824/gfn@=荧光棒/gfcnt@=10/uid@=654/nn@=送礼者/"

    @Test func encodesTheClientFrames() {
        let login = DouyuFrames.login(roomID: "9999")
        let body = "type@=loginreq/roomid@=9999/"
        #expect(login == [UInt8(9 + body.utf8.count), 0, 0, 0, UInt8(9 + body.utf8.count), 0, 0, 0, 0xB1, 0x02, 0, 0]
                + Array(body.utf8) + [0])
        #expect(Array(DouyuFrames.joinGroup(roomID: "9999")[12...]) == Array("type@=joingroup/rid@=9999/gid@=-9999/\0".utf8))
        #expect(Array(DouyuFrames.heartbeat()[12...]) == Array("type@=mrkl/\0".utf8))
        #expect(DouyuSTT.encode([("k/@", "v@/")]) == "k@S@A@=v@A@S/")
    }

    @Test func decodesChatAndGiftsAcrossReadBoundaries() throws {
        var decoder = DouyuDecoder()
        let stream = serverFrame("type@=loginres/userid@=0/") + serverFrame(chat) + serverFrame(gift)
        var messages: [DanmakuMessage] = []
        // Reads of 7 bytes split every frame and header somewhere.
        for start in stride(from: 0, to: stream.count, by: 7) {
            messages += try decoder.feed(Array(stream[start..<min(start + 7, stream.count)]), receivedAt: now)
        }
        #expect(messages == [
            DanmakuMessage(text: "a/b@c 666", userName: "斗鱼@用户", uid: 123456, color: 2_000_880, receivedAt: now),
            DanmakuMessage(kind: .gift, text: "", userName: "送礼者", uid: 654, receivedAt: now, count: 10, giftName: "荧光棒"),
        ])
    }

    @Test func rejectsWrongLengths() {
        var mismatched = serverFrame(chat)
        mismatched[4] &+= 1
        for frame in [mismatched, serverFrame(chat, lengthField: 3), serverFrame(chat, lengthField: UInt32.max)] {
            var decoder = DouyuDecoder()
            #expect(throws: DanmakuDecodeError.self) { try decoder.feed(frame, receivedAt: now) }
        }
        // A truncated frame is only incomplete: nothing yet, no error.
        var decoder = DouyuDecoder()
        #expect((try? decoder.feed(Array(serverFrame(chat).dropLast(5)), receivedAt: now)) == [])
    }

    @Test func survivesMutatedFrames() {
        var failures = 0
        for bytes in mutations(of: serverFrame(chat) + serverFrame(gift), count: fuzzIterations(default: 3000), seed: 20) {
            var decoder = DouyuDecoder()
            do { _ = try decoder.feed(bytes, receivedAt: now) } catch { failures += 1 }
        }
        #expect(failures > 0)
    }
}
