/// What Bilibili answers an accepted submission or edit with: the archive's ids.
public struct SubmittedArchive: Codable, Sendable, Equatable {
    public var aid: Int64
    public var bvid: String

    public init(aid: Int64, bvid: String) {
        self.aid = aid
        self.bvid = bvid
    }
}
