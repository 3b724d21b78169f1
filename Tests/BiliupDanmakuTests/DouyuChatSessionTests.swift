import Foundation
import Testing
@testable import BiliupDanmaku

@Suite struct DouyuChatSessionTests {
    let now = Date(timeIntervalSince1970: 1_733_120_001)

    /// A frame as the server writes it: both length fields, type 690, the STT body and its NUL.
    func serverFrame(_ body: String) -> [UInt8] {
        let payload = Array(body.utf8) + [0]
        let length = UInt32(8 + payload.count)
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        return le(length) + le(length) + le(UInt16(690)) + [0, 0] + payload
    }

    @Test func logsInJoinsTheWholeRoomAndBeatsEvery45Seconds() {
        let session = DouyuChatSession(roomID: "9999")
        let login = Array("type@=loginreq/roomid@=9999/".utf8)
        let join = Array("type@=joingroup/rid@=9999/gid@=-9999/".utf8)
        func clientFrame(_ body: [UInt8]) -> [UInt8] {
            let n = UInt8(9 + body.count)
            return [n, 0, 0, 0, n, 0, 0, 0, 0xB1, 0x02, 0, 0] + body + [0]
        }
        #expect(session.openingFrames() == [.binary(clientFrame(login)), .binary(clientFrame(join))])
        #expect(session.heartbeatInterval == .seconds(45))
        #expect(session.heartbeatFrame() == .binary(clientFrame(Array("type@=mrkl/".utf8))))
    }

    @Test func reassemblesFramesSplitAcrossReads() throws {
        let session = DouyuChatSession(roomID: "9999")
        let stream = serverFrame("type@=loginres/userid@=0/")
            + serverFrame("type@=chatmsg/rid@=9999/uid@=555/nn@=鱼丸@Sfan/txt@=hello@A/col@=2/")
            + serverFrame("type@=dgb/rid@=9999/gfid@=824/gfn@=荧光棒/gfcnt@=3/uid@=556/nn@=gifter/")
        var messages: [DanmakuMessage] = []
        // Reads of 7 bytes: every frame boundary and header falls inside a read at least once.
        for start in stride(from: 0, to: stream.count, by: 7) {
            let receipt = try session.receive(.binary(Array(stream[start..<min(start + 7, stream.count)])), at: now)
            #expect(receipt.replies.isEmpty)
            messages += receipt.messages
        }
        #expect(messages == [
            DanmakuMessage(text: "hello@", userName: "鱼丸/fan", uid: 555, color: 2_000_880, receivedAt: now),
            DanmakuMessage(kind: .gift, text: "", userName: "gifter", uid: 556, receivedAt: now, count: 3, giftName: "荧光棒"),
        ])
    }

    @Test func brokenLengthFieldsAndTextFramesThrow() {
        let session = DouyuChatSession(roomID: "1")
        var frame = serverFrame("type@=chatmsg/txt@=x/")
        frame[4] &+= 1
        #expect(throws: DanmakuDecodeError.self) { try session.receive(.binary(frame), at: now) }
        #expect(throws: DanmakuDecodeError.self) { try session.receive(.text("type@=chatmsg/"), at: now) }
    }
}
