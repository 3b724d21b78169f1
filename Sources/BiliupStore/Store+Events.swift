import Foundation
import GRDB

// The event log: bounded to the newest `maxEvents`.
//
// Counting rows is a full scan in SQLite, so the bound works on ids instead: ids only grow
// (AUTOINCREMENT) and only the oldest rows are ever deleted, so the rows are within [MIN(id), MAX(id)]
// and their count is at most MAX - MIN + 1, both cheap lookups on the primary key. When that span
// passes `maxEvents`, one range delete goes down to `maxEvents - trimBatch`, so the delete runs once
// per `trimBatch` inserts instead of on every insert.
extension Store {
    /// Events deleted at once when the log is full: a tenth of it, so trimming costs each insert a
    /// tenth of a row delete on average while the log still holds at least 90% of its bound.
    var trimBatch: Int { max(1, maxEvents / 10) }

    /// Appends events in one transaction and returns them with their ids. The oldest events beyond
    /// `maxEvents` are deleted (including some of these when more than `maxEvents` are given at once).
    @discardableResult
    public func append(_ events: [EventRecord]) throws -> [EventRecord] {
        try write { db in
            var inserted: [EventRecord] = []
            inserted.reserveCapacity(events.count)
            for var event in events {
                event.at = event.at.roundTripped
                try event.insert(db)
                inserted.append(event)
            }
            try trimEvents(db)
            return inserted
        }
    }

    /// Events in id (time) order. With `afterId`, the `limit` oldest events after it (reading forward
    /// from a cursor); otherwise the `limit` newest, before `beforeId` when given (paging backward).
    public func events(
        afterId: Int64? = nil, beforeId: Int64? = nil, limit: Int = 100, streamerId: Int64? = nil
    ) throws -> [EventRecord] {
        try read { db in
            var request = EventRecord.all()
            if let afterId { request = request.filter(Column("id") > afterId) }
            if let beforeId { request = request.filter(Column("id") < beforeId) }
            if let streamerId { request = request.filter(Column("streamerId") == streamerId) }
            if afterId != nil {
                return try request.order(Column("id")).limit(limit).fetchAll(db)
            }
            return try request.order(Column("id").desc).limit(limit).fetchAll(db).reversed()
        }
    }

    private func trimEvents(_ db: Database) throws {
        let row = try Row.fetchOne(db, sql: "SELECT MIN(id) AS oldest, MAX(id) AS newest FROM event")
        guard let oldest: Int64 = row?["oldest"], let newest: Int64 = row?["newest"],
              newest - oldest + 1 > Int64(maxEvents)
        else { return }
        let keep = Int64(max(1, maxEvents - trimBatch))
        try db.execute(sql: "DELETE FROM event WHERE id <= ?", arguments: [newest - keep])
    }
}
