import BiliupValues

/// Makes a room's `ChatSource` from what a plugin's `danmaku` step returned: `url`, `headers` (a table
/// of name → value) and the keys of the protocol named by the check result's `danmaku.protocol`.
/// The URL is used as the plugin wrote it; the transport applies the host remap.
public enum ChatPlatforms {
    /// The protocols `source` knows, as plugins write them.
    public static let names = ["bilibili", "douyin", "douyu", "huya", "twitcasting", "twitch", "youtube"]

    public static func source(protocol name: String, parameters: [String: JSONValue])
        throws(ChatParameterError) -> ChatSource
    {
        let reader = ChatParameterReader(protocolName: name, parameters: parameters)
        switch name {
        case "bilibili": return try bilibili(reader)
        case "douyin": return try douyin(reader)
        case "douyu": return try douyu(reader)
        case "huya": return try huya(reader)
        case "twitch": return try twitch(reader)
        case "twitcasting": return try twitCasting(reader)
        case "youtube": return try youTube(reader)
        default: throw .unknownProtocol(name)
        }
    }

    static let webSocketSchemes = ["wss", "ws"]

    /// `room_id` (long room id), `uid` (the logged-in viewer's mid; 0 or absent when anonymous), `token`.
    private static func bilibili(_ reader: ChatParameterReader) throws(ChatParameterError) -> ChatSource {
        let url = try reader.url(schemes: webSocketSchemes)
        let headers = try reader.headers()
        let roomID = try reader.int64("room_id")
        let viewerUID = try reader.optionalInt64("uid", default: 0)
        let token = try reader.string("token")
        let endpoint = ChatEndpoint(url: url, headers: headers, transport: .webSocket)
        return ChatSource(platform: "bilibili", room: String(roomID), kind: .stream(endpoint, makeSession: {
            BilibiliChatSession(roomID: roomID, viewerUID: viewerUID, token: token)
        }))
    }

    /// `room_id`; `url` is `tcp://host:port`.
    private static func douyu(_ reader: ChatParameterReader) throws(ChatParameterError) -> ChatSource {
        let url = try reader.url(schemes: ["tcp"])
        let roomID = try reader.identifier("room_id")
        let endpoint = ChatEndpoint(url: url, headers: try reader.headers(), transport: .tcp)
        return ChatSource(platform: "douyu", room: roomID, kind: .stream(endpoint, makeSession: {
            DouyuChatSession(roomID: roomID)
        }))
    }

    /// `presenter_uid`: the anchor's uid, the group the client registers for; `room_id` (optional) names the room.
    private static func huya(_ reader: ChatParameterReader) throws(ChatParameterError) -> ChatSource {
        let url = try reader.url(schemes: webSocketSchemes)
        let presenter = try reader.int64("presenter_uid")
        let room = (try? reader.identifier("room_id")) ?? String(presenter)
        let endpoint = ChatEndpoint(url: url, headers: try reader.headers(), transport: .webSocket)
        return ChatSource(platform: "huya", room: room, kind: .stream(endpoint, makeSession: {
            HuyaChatSession(presenterUID: presenter)
        }))
    }

    /// The signed push URL carries the room; the Cookie (ttwid) and User-Agent come in `headers`;
    /// `room_id` (optional) names the room.
    private static func douyin(_ reader: ChatParameterReader) throws(ChatParameterError) -> ChatSource {
        let url = try reader.url(schemes: webSocketSchemes)
        let room = (try? reader.identifier("room_id")) ?? ""
        let endpoint = ChatEndpoint(url: url, headers: try reader.headers(), transport: .webSocket)
        return ChatSource(platform: "douyin", room: room, kind: .stream(endpoint, makeSession: {
            DouyinChatSession()
        }))
    }

    /// `channel`: the login, joined as `#login`.
    private static func twitch(_ reader: ChatParameterReader) throws(ChatParameterError) -> ChatSource {
        let url = try reader.url(schemes: webSocketSchemes)
        let channel = try reader.string("channel")
        // The channel becomes part of an IRC line: anything but a login's characters would add commands.
        guard channel.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || ($0 < 0x80 && Character(Unicode.Scalar($0)).isLetter)
                                        || ($0 < 0x80 && Character(Unicode.Scalar($0)).isNumber) }) else {
            throw reader.invalid("channel", expected: "a Twitch login (letters, digits, _)", got: "other characters")
        }
        let endpoint = ChatEndpoint(url: url, headers: try reader.headers(), transport: .webSocket)
        return ChatSource(platform: "twitch", room: channel, kind: .stream(endpoint, makeSession: {
            TwitchChatSession(channel: channel)
        }))
    }

    /// `url` is the WebSocket URL `eventpubsuburl.php` answered; `movie_id` (optional) names the room.
    private static func twitCasting(_ reader: ChatParameterReader) throws(ChatParameterError) -> ChatSource {
        let url = try reader.url(schemes: webSocketSchemes)
        let movie = (try? reader.identifier("movie_id")) ?? ""
        let endpoint = ChatEndpoint(url: url, headers: try reader.headers(), transport: .webSocket)
        return ChatSource(platform: "twitcasting", room: movie, kind: .stream(endpoint, makeSession: {
            TwitCastingChatSession()
        }))
    }

    /// `url` is the `get_live_chat` URL (with its key), `continuation` the first token, `client_version`
    /// the WEB client version; `video_id` (optional) names the room.
    private static func youTube(_ reader: ChatParameterReader) throws(ChatParameterError) -> ChatSource {
        let url = try reader.url(schemes: ["https", "http"])
        let headers = try reader.headers()
        let continuation = try reader.string("continuation")
        let clientVersion = try reader.string("client_version")
        let video = (try? reader.string("video_id")) ?? ""
        return ChatSource(platform: "youtube", room: video, kind: .polling(makeSession: {
            YouTubeChatSession(apiURL: url, continuation: continuation, clientVersion: clientVersion, headers: headers)
        }))
    }
}
