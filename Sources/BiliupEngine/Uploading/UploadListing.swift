import BiliupStore
import Foundation

/// An archive in the upload queue with its parts, as the API lists it.
public struct QueuedArchive: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var record: ArchivePartRecord
        /// Bytes sent and the file's size while it uploads; nil otherwise.
        public var sent: Int64?
        public var total: Int64?
    }

    public var archive: ArchiveRecord
    public var parts: [Part]
    /// The account it uploads as (nil: its template is gone and it named none).
    public var account: String?
    /// While its account is rate limited: when it may try again.
    public var rateLimitedUntil: Date?
}
