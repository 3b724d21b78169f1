import Foundation
import GRDB

/// What all records of this store share: how their dates are stored. Public so that records of tables
/// added later (by the uploader, say) store dates the same way.
///
/// Dates are unix seconds as a REAL column rather than GRDB's default text form
/// ("yyyy-MM-dd HH:mm:ss.SSS"), because a Double round-trips a `Date` exactly (a record reads back equal
/// to what was written), compares and sorts as a number, and is what scripts and `sqlite3` users can
/// turn into time with `datetime(at, 'unixepoch')`.
public protocol StoredRecord: FetchableRecord, EncodableRecord {}

extension StoredRecord {
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .timeIntervalSince1970
    }

    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .timeIntervalSince1970
    }
}

extension Date {
    /// The stored form of a date, for hand-written filters and updates (where GRDB would otherwise use
    /// its text form and the comparison with the REAL columns would be wrong).
    var storedValue: Double { timeIntervalSince1970 }
}

extension Date {
    /// This date as its column gives it back. A `Date` counts from 2001 and a column from 1970, and
    /// converting loses the last bits of a fresh `Date()`; once converted, a date round-trips exactly.
    /// The store converts the dates of the records it returns, so that they equal what a read gives.
    var roundTripped: Date { Date(timeIntervalSince1970: timeIntervalSince1970) }

    /// The current time, as stored.
    static var storeNow: Date { Date().roundTripped }
}
