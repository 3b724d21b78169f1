import Foundation

extension Studio {
    /// Bilibili's limits, checked before anything is uploaded so a long upload does not end in a refusal.
    public static let maxTitleLength = 80
    public static let maxTags = 12
    public static let maxDescLength = 2000
    /// A scheduled publication must be at least this far ahead of the submission...
    public static let minPublishDelay: TimeInterval = 4 * 3600
    /// ...and at most this far.
    public static let maxPublishDelay: TimeInterval = 15 * 24 * 3600

    /// The tags as Bilibili counts them: split at commas, trimmed, empty ones dropped.
    public var tags: [String] {
        tag.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Throws an `.invalidInput` error whose context is the offending `StudioField` for the first field
    /// Bilibili would refuse. `needsVideos` is false for a check made before the parts exist.
    public func validate(now: Date = Date(), needsVideos: Bool = true) throws(UploadError) {
        func refuse(_ field: StudioField, _ message: String) -> UploadError {
            UploadError(.invalidInput, field.rawValue, message)
        }
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty { throw refuse(.title, "the title is empty") }
        if title.count > Self.maxTitleLength {
            throw refuse(.title, "the title has \(title.count) characters; Bilibili allows \(Self.maxTitleLength)")
        }
        if tid <= 0 { throw refuse(.tid, "\(tid) is not a category (分区) id; it must be above 0") }
        if copyright != 1 && copyright != 2 {
            throw refuse(.copyright, "\(copyright) is neither 1 (made by the uploader) nor 2 (reposted)")
        }
        if copyright == 2 && source.trimmingCharacters(in: .whitespaces).isEmpty {
            throw refuse(.source, "a reposted archive (copyright 2) needs its source")
        }
        let tags = tags
        if tags.isEmpty { throw refuse(.tag, "at least one tag is needed") }
        if tags.count > Self.maxTags { throw refuse(.tag, "\(tags.count) tags; Bilibili allows \(Self.maxTags)") }
        if desc.count > Self.maxDescLength {
            throw refuse(.desc, "the description has \(desc.count) characters; Bilibili allows \(Self.maxDescLength)")
        }
        if let dtime {
            let delay = TimeInterval(dtime) - now.timeIntervalSince1970
            if delay < Self.minPublishDelay {
                throw refuse(.dtime, "a scheduled publication must be at least 4 hours ahead (unix time ≥ \(Int64(now.timeIntervalSince1970 + Self.minPublishDelay)))")
            }
            if delay > Self.maxPublishDelay {
                throw refuse(.dtime, "a scheduled publication must be at most 15 days ahead (unix time ≤ \(Int64(now.timeIntervalSince1970 + Self.maxPublishDelay)))")
            }
        }
        if needsVideos && videos.isEmpty { throw refuse(.videos, "there are no parts to submit") }
    }
}
