import BiliupValues

/// The frames a Huya chat client sends over `wss://cdnws.api.huya.com/`: Tars `WebSocketCommand{0 iCmdType,
/// 1 vData}` structs, whose `vData` is the Tars body of the command's own struct.
public enum HuyaFrames {
    /// `EWebSocketCommandType` values of the web client.
    public enum Command {
        public static let registerRequest: Int64 = 1
        public static let registerResponse: Int64 = 2
        public static let wupRequest: Int64 = 3
        public static let wupResponse: Int64 = 4
        public static let heartbeatAck: Int64 = 6
        public static let messagePush: Int64 = 7
    }

    /// The web client's heartbeat period, which biliup keeps.
    public static let heartbeatInterval: Duration = .seconds(60)

    /// A `WebSocketCommand` carrying `data` (the Tars body of the command's struct).
    public static func command(_ type: Int64, data: [UInt8]) -> [UInt8] {
        Tars.encode([(0, .int(type)), (1, .bytes(data))])
    }

    /// Registration: `WSUserInfo{0 lUid, 1 bAnonymous, 2 sGuid, 3 sToken, 4 lTid, 5 lSid, 6 lGroupId,
    /// 7 lGroupType}`. Group type 3 with the presenter's uid as group id subscribes to the room's chat. The
    /// user fields repeat the presenter's uid with bAnonymous false, as biliup registers (the server accepts it
    /// without a token and pushes the room's messages).
    public static func registration(presenterUID: Int64) -> [UInt8] {
        let userInfo: [(Int, TarsValue)] = [
            (0, .int(presenterUID)), (1, .int(0)), (2, .string("")), (3, .string("")),
            (4, .int(0)), (5, .int(0)), (6, .int(presenterUID)), (7, .int(3)),
        ]
        return command(Command.registerRequest, data: Tars.encode(userInfo))
    }

    /// The fields of `UserHeartBeatReq` that vary between rooms.
    public struct HeartbeatFields: Sendable, Equatable {
        public var topSID: Int64 = 0
        public var subSID: Int64 = 0
        public var presenterUID: Int64
        public var lineType: Int64 = 1
        public var attendee: Int64 = 0

        public init(presenterUID: Int64, topSID: Int64 = 0, subSID: Int64 = 0, lineType: Int64 = 1, attendee: Int64 = 0) {
            self.presenterUID = presenterUID
            self.topSID = topSID
            self.subSID = subSID
            self.lineType = lineType
            self.attendee = attendee
        }
    }

    /// The keep-alive biliup sends (as a fixed 112-byte blob captured from one room): a WUP request to
    /// servant `onlineui`, function `OnUserHeartBeat`, whose `tReq` is a `UserHeartBeatReq{0 tId UserId{0 lUid,
    /// 1 sGuid, 2 sToken, 3 sHuYaUA "adr_wap", 4 sCookie}, 1 lTid, 2 lSid, 3 (0), 4 lPid, 5 bWatchVideo, 6 eLineType,
    /// 7 iFps, 8 iAttendee, 9 iBandwidth, 10 iLastHeartElapseTime}`. Built here with this room's presenter.
    public static func heartbeat(_ fields: HeartbeatFields) -> [UInt8] {
        let userID: [(Int, TarsValue)] = [
            (0, .int(0)), (1, .string("")), (2, .string("")), (3, .string("adr_wap")), (4, .string("")),
        ]
        let request: [(Int, TarsValue)] = [
            (0, .structure(userID)), (1, .int(fields.topSID)), (2, .int(fields.subSID)), (3, .int(0)),
            (4, .int(fields.presenterUID)), (5, .int(0)), (6, .int(fields.lineType)), (7, .int(0)),
            (8, .int(fields.attendee)), (9, .int(0)), (10, .int(0)),
        ]
        let arguments = Tars.encode([(0, .map([(.string("tReq"), .bytes(Tars.encode([(0, .structure(request))])))]))])
        return command(Command.wupRequest, data: wupRequest(servant: "onlineui", function: "OnUserHeartBeat",
                                                            arguments: arguments))
    }

    /// A Tars-WUP (version 3) `RequestPacket`, preceded by its own length as a 4-byte big-endian integer:
    /// `{1 iVersion, 2 cPacketType, 3 iMessageType, 4 iRequestId, 5 sServantName, 6 sFuncName, 7 sBuffer,
    /// 8 iTimeout, 9 context, 10 status}`.
    static func wupRequest(servant: String, function: String, arguments: [UInt8]) -> [UInt8] {
        let body = Tars.encode([
            (1, .int(3)), (2, .int(0)), (3, .int(0)), (4, .int(0)), (5, .string(servant)), (6, .string(function)),
            (7, .bytes(arguments)), (8, .int(0)), (9, .map([])), (10, .map([])),
        ])
        let length = UInt32(4 + body.count)
        return withUnsafeBytes(of: length.bigEndian) { Array($0) } + body
    }
}
