import BiliupValues

/// One archive submission (稿件), the JSON body of Bilibili's add and edit endpoints, field for field
/// as biliup sends it (reference/biliup.md §4.3).
public struct Studio: Codable, Sendable, Equatable {
    /// 1: made by the uploader; 2: reposted (needs `source`).
    public var copyright: Int = 1
    public var source: String = ""
    /// The category (分区) id.
    public var tid: Int
    /// A cover's URL as the cover upload returned it; "" lets Bilibili pick a frame.
    public var cover: String = ""
    public var title: String
    public var descFormatId: Int = 0
    public var desc: String = ""
    public var dynamic: String = ""
    public var subtitle = Subtitle()
    /// Comma-separated.
    public var tag: String
    public var videos: [Video] = []
    /// Publication time (unix seconds, at least 4 hours ahead); nil publishes at once.
    public var dtime: Int64?
    public var openSubtitle = false
    public var interactive = 0
    public var missionId: Int?
    public var dolby = 0
    public var losslessMusic = 0
    /// 1: "reposting forbidden" (禁止转载).
    public var noReprint = 0
    public var isOnlySelf = 0
    public var chargingPay = 0
    /// Set when editing an archive.
    public var aid: Int64?
    public var upSelectionReply = false
    public var upCloseReply = false
    public var upCloseDanmu = false
    /// Fields Bilibili knows and this type does not (`--extra-fields`), written at the top level.
    public var extraFields: [String: JSONValue] = [:]

    public struct Subtitle: Codable, Sendable, Equatable {
        public var open = 0
        public var lan = ""
        public init() {}
    }

    /// One part (分P): an uploaded file, named by the stem of its upos_uri.
    public struct Video: Codable, Sendable, Equatable {
        public var title: String
        public var filename: String
        public var desc: String = ""

        public init(title: String, filename: String, desc: String = "") {
            self.title = title
            self.filename = filename
            self.desc = desc
        }
    }

    public init(tid: Int, title: String, tag: String) {
        self.tid = tid
        self.title = title
        self.tag = tag
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case copyright, source, tid, cover, title, descFormatId = "desc_format_id", desc, dynamic, subtitle, tag, videos
        case dtime, openSubtitle = "open_subtitle", interactive, missionId = "mission_id", dolby
        case losslessMusic = "lossless_music", noReprint = "no_reprint", isOnlySelf = "is_only_self"
        case chargingPay = "charging_pay", aid, upSelectionReply = "up_selection_reply"
        case upCloseReply = "up_close_reply", upCloseDanmu = "up_close_danmu"
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        copyright = try c.decodeIfPresent(Int.self, forKey: .copyright) ?? 1
        source = try c.decodeIfPresent(String.self, forKey: .source) ?? ""
        tid = try c.decode(Int.self, forKey: .tid)
        cover = try c.decodeIfPresent(String.self, forKey: .cover) ?? ""
        title = try c.decode(String.self, forKey: .title)
        descFormatId = try c.decodeIfPresent(Int.self, forKey: .descFormatId) ?? 0
        desc = try c.decodeIfPresent(String.self, forKey: .desc) ?? ""
        dynamic = try c.decodeIfPresent(String.self, forKey: .dynamic) ?? ""
        subtitle = try c.decodeIfPresent(Subtitle.self, forKey: .subtitle) ?? Subtitle()
        tag = try c.decodeIfPresent(String.self, forKey: .tag) ?? ""
        videos = try c.decodeIfPresent([Video].self, forKey: .videos) ?? []
        dtime = try c.decodeIfPresent(Int64.self, forKey: .dtime)
        openSubtitle = try c.decodeIfPresent(Bool.self, forKey: .openSubtitle) ?? false
        interactive = try c.decodeIfPresent(Int.self, forKey: .interactive) ?? 0
        missionId = try c.decodeIfPresent(Int.self, forKey: .missionId)
        dolby = try c.decodeIfPresent(Int.self, forKey: .dolby) ?? 0
        losslessMusic = try c.decodeIfPresent(Int.self, forKey: .losslessMusic) ?? 0
        noReprint = try c.decodeIfPresent(Int.self, forKey: .noReprint) ?? 0
        isOnlySelf = try c.decodeIfPresent(Int.self, forKey: .isOnlySelf) ?? 0
        chargingPay = try c.decodeIfPresent(Int.self, forKey: .chargingPay) ?? 0
        aid = try c.decodeIfPresent(Int64.self, forKey: .aid)
        upSelectionReply = try c.decodeIfPresent(Bool.self, forKey: .upSelectionReply) ?? false
        upCloseReply = try c.decodeIfPresent(Bool.self, forKey: .upCloseReply) ?? false
        upCloseDanmu = try c.decodeIfPresent(Bool.self, forKey: .upCloseDanmu) ?? false
        let known = Set(CodingKeys.allCases.map(\.stringValue))
        let all = try decoder.container(keyedBy: AnyKey.self)
        for key in all.allKeys where !known.contains(key.stringValue) {
            extraFields[key.stringValue] = try all.decode(JSONValue.self, forKey: key)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(copyright, forKey: .copyright)
        try c.encode(source, forKey: .source)
        try c.encode(tid, forKey: .tid)
        try c.encode(cover, forKey: .cover)
        try c.encode(title, forKey: .title)
        try c.encode(descFormatId, forKey: .descFormatId)
        try c.encode(desc, forKey: .desc)
        try c.encode(dynamic, forKey: .dynamic)
        try c.encode(subtitle, forKey: .subtitle)
        try c.encode(tag, forKey: .tag)
        try c.encode(videos, forKey: .videos)
        try c.encodeIfPresent(dtime, forKey: .dtime)
        try c.encode(openSubtitle, forKey: .openSubtitle)
        try c.encode(interactive, forKey: .interactive)
        try c.encodeIfPresent(missionId, forKey: .missionId)
        try c.encode(dolby, forKey: .dolby)
        try c.encode(losslessMusic, forKey: .losslessMusic)
        try c.encode(noReprint, forKey: .noReprint)
        try c.encode(isOnlySelf, forKey: .isOnlySelf)
        try c.encode(chargingPay, forKey: .chargingPay)
        try c.encodeIfPresent(aid, forKey: .aid)
        try c.encode(upSelectionReply, forKey: .upSelectionReply)
        try c.encode(upCloseReply, forKey: .upCloseReply)
        try c.encode(upCloseDanmu, forKey: .upCloseDanmu)
        // Extra fields are the user's overrides: a known name among them replaces the typed value.
        var extra = encoder.container(keyedBy: AnyKey.self)
        for (key, value) in extraFields { try extra.encode(value, forKey: AnyKey(stringValue: key)) }
    }
}
