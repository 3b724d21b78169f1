import BiliupValues
import Foundation
import GRDB

// Sessions (broadcasts) and their segments (files). A session's bytes, duration and segmentCount are the
// totals of its finished segments, recomputed in the transaction that changes a segment.
extension Store {
    /// Starts the record of a broadcast.
    public func openSession(
        streamerId: Int64?, streamerName: String, plugin: String, url: String, title: String?, at: Date
    ) throws -> SessionRecord {
        try write { db in
            if let streamerId, try StreamerRecord.exists(db, key: streamerId) == false {
                throw StoreError(.notFound, "streamer \(streamerId) not found")
            }
            var session = SessionRecord(
                streamerId: streamerId, streamerName: streamerName, plugin: plugin, url: url,
                title: title, startedAt: at.roundTripped)
            try session.insert(db)
            return session
        }
    }

    /// Ends a broadcast's record; closing it twice is a `.conflict`.
    public func closeSession(id: Int64, at: Date, reason: String) throws {
        try write { db in
            var session = try requireOpenSession(id: id, db: db)
            session.endedAt = at
            session.endReason = reason
            try session.update(db)
        }
    }

    /// Closes, with reason `SessionRecord.interruptedReason`, the sessions a crash or kill left open,
    /// and settles their "recording" segments by what is on disk: a file that exists becomes
    /// "finished" (its size as bytes; its end and duration estimated from its modification time, when
    /// the recorder last wrote it), a missing one "removed". Returns how many sessions were closed.
    @discardableResult
    public func closeInterruptedSessions(at: Date) throws -> Int {
        try write { db in
            let open = try SessionRecord.filter(Column("endedAt") == nil).fetchAll(db)
            for var session in open {
                guard let sessionId = session.id else { continue }
                let recording = try SegmentRecord
                    .filter(Column("sessionId") == sessionId && Column("state") == SegmentState.recording)
                    .fetchAll(db)
                for var segment in recording {
                    Self.settleInterrupted(&segment, at: at)
                    try segment.update(db)
                }
                session.endedAt = at
                session.endReason = SessionRecord.interruptedReason
                try session.update(db)
                try updateTotals(sessionId: sessionId, db: db)
            }
            return open.count
        }
    }

    /// Sessions, newest first; `from`/`to` bound their start (from inclusive, to exclusive).
    public func sessions(
        streamerId: Int64? = nil, from: Date? = nil, to: Date? = nil, limit: Int = 50, offset: Int = 0
    ) throws -> [SessionRecord] {
        try read { db in
            var request = SessionRecord.all()
            if let streamerId { request = request.filter(Column("streamerId") == streamerId) }
            if let from { request = request.filter(Column("startedAt") >= from.storedValue) }
            if let to { request = request.filter(Column("startedAt") < to.storedValue) }
            return try request
                .order(Column("startedAt").desc, Column("id").desc)
                .limit(limit, offset: offset)
                .fetchAll(db)
        }
    }

    public func session(id: Int64) throws -> SessionRecord? {
        try read { db in try SessionRecord.fetchOne(db, key: id) }
    }

    /// Sessions not closed yet: broadcasts being recorded (or, before `closeInterruptedSessions`, left
    /// open by a crash).
    public func openSessionsCount() throws -> Int {
        try read { db in try SessionRecord.filter(Column("endedAt") == nil).fetchCount(db) }
    }

    /// Records a new file of an open session, in state "recording".
    public func addSegment(sessionId: Int64, path: String, at: Date) throws -> SegmentRecord {
        try write { db in
            _ = try requireOpenSession(id: sessionId, db: db)
            var segment = SegmentRecord(
                sessionId: sessionId, path: path, startedAt: at.roundTripped, createdAt: .storeNow)
            try segment.insert(db)
            return segment
        }
    }

    /// Marks a recording segment finished, with what the recorder measured.
    public func finishSegment(
        id: Int64, at: Date, duration: Double, bytes: Int64, report: [String: JSONValue]?
    ) throws {
        try write { db in
            var segment = try existingSegment(id: id, db: db)
            guard segment.state == .recording else {
                throw StoreError(.conflict, "segment \(id) (\(segment.path)) is already \(segment.state.rawValue)")
            }
            segment.state = .finished
            segment.endedAt = at
            segment.duration = duration
            segment.bytes = bytes
            segment.report = report
            try segment.update(db)
            try updateTotals(sessionId: segment.sessionId, db: db)
        }
    }

    /// Marks a segment removed (too small, deleted...): it no longer counts in its session. The file
    /// itself is the caller's business.
    public func removeSegment(id: Int64, reason: String) throws {
        try write { db in
            var segment = try existingSegment(id: id, db: db)
            segment.state = .removed
            segment.removedReason = reason
            try segment.update(db)
            try updateTotals(sessionId: segment.sessionId, db: db)
        }
    }

    /// A session's segments, in recording order.
    public func segments(sessionId: Int64) throws -> [SegmentRecord] {
        try read { db in
            try SegmentRecord.filter(Column("sessionId") == sessionId)
                .order(Column("startedAt"), Column("id"))
                .fetchAll(db)
        }
    }

    public func segment(id: Int64) throws -> SegmentRecord? {
        try read { db in try SegmentRecord.fetchOne(db, key: id) }
    }

    private func requireOpenSession(id: Int64, db: Database) throws -> SessionRecord {
        guard let session = try SessionRecord.fetchOne(db, key: id) else {
            throw StoreError(.notFound, "session \(id) not found")
        }
        guard session.isOpen else {
            throw StoreError(.conflict, "session \(id) (\(session.streamerName)) is already closed")
        }
        return session
    }

    private func existingSegment(id: Int64, db: Database) throws -> SegmentRecord {
        guard let segment = try SegmentRecord.fetchOne(db, key: id) else {
            throw StoreError(.notFound, "segment \(id) not found")
        }
        return segment
    }

    private func updateTotals(sessionId: Int64, db: Database) throws {
        try db.execute(
            sql: """
                UPDATE session SET (bytes, duration, segmentCount) = (
                    SELECT COALESCE(SUM(bytes), 0), COALESCE(SUM(duration), 0), COUNT(*)
                    FROM segment WHERE sessionId = :id AND state = :finished)
                WHERE id = :id
                """,
            arguments: ["id": sessionId, "finished": SegmentState.finished])
    }

    private static func settleInterrupted(_ segment: inout SegmentRecord, at: Date) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: segment.path) else {
            segment.state = .removed
            segment.removedReason = "interrupted; file missing"
            segment.endedAt = at
            return
        }
        let lastWrite = attributes[.modificationDate] as? Date ?? at
        segment.state = .finished
        segment.endedAt = lastWrite
        segment.duration = max(0, lastWrite.timeIntervalSince(segment.startedAt))
        segment.bytes = (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }
}
