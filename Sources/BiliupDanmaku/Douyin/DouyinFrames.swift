/// The frames a Douyin chat client sends: `PushFrame{1 seqId, 2 logId, 3 service, 4 method, 5 headers,
/// 6 payloadEncoding, 7 payloadType, 8 payload}` messages, each one WebSocket binary message.
public enum DouyinFrames {
    /// The web client's keep-alive period; the server closes idle connections.
    public static let heartbeatInterval: Duration = .seconds(10)

    /// `PushFrame{7 payloadType: "hb"}`: the bytes `3a 02 68 62`.
    public static func heartbeat() -> [UInt8] {
        var writer = ProtobufWire.Writer()
        writer.string(7, "hb")
        return writer.encoded
    }

    /// The acknowledgement a `Response` with `needAck` asks for: `PushFrame{2 logId (of the frame being
    /// acknowledged), 7 payloadType "ack", 8 payload = the response's internalExt}`.
    public static func ack(logID: UInt64, internalExt: [UInt8]) -> [UInt8] {
        var writer = ProtobufWire.Writer()
        writer.varint(2, logID)
        writer.string(7, "ack")
        writer.bytes(8, internalExt)
        return writer.encoded
    }
}
