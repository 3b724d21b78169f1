import Foundation
import Testing
import BiliupStore

@Suite struct SessionTests {
    @Test func segmentsKeepTheSessionTotals() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let session = try store.openSession(
                streamerId: nil, streamerName: "alice", plugin: "bilibili", url: "u", title: "t", at: t0)
            let id = try #require(session.id)
            #expect(try store.openSessionsCount() == 1)

            let first = try store.addSegment(sessionId: id, path: "/rec/1.flv", at: t0)
            let second = try store.addSegment(sessionId: id, path: "/rec/2.flv", at: t0 + 3600)
            #expect(first.state == .recording)
            try store.finishSegment(id: first.id!, at: t0 + 3600, duration: 3600, bytes: 2_000, report: ["gaps": 1])
            try store.finishSegment(id: second.id!, at: t0 + 3700, duration: 99.5, bytes: 300, report: nil)
            var totals = try #require(try store.session(id: id))
            #expect((totals.bytes, totals.duration, totals.segmentCount) == (2_300, 3699.5, 2))

            let again = storeError { try store.finishSegment(id: second.id!, at: t0, duration: 1, bytes: 1, report: nil) }
            #expect(again == StoreError(.conflict, "segment \(second.id!) (/rec/2.flv) is already finished"))

            try store.removeSegment(id: second.id!, reason: "smaller than min_segment_size")
            totals = try #require(try store.session(id: id))
            #expect((totals.bytes, totals.duration, totals.segmentCount) == (2_000, 3600, 1))
            let removed = try #require(try store.segment(id: second.id!))
            #expect(removed.state == .removed)
            #expect(removed.removedReason == "smaller than min_segment_size")
            #expect(try store.segments(sessionId: id).map(\.path) == ["/rec/1.flv", "/rec/2.flv"])

            try store.closeSession(id: id, at: t0 + 4000, reason: "offline")
            let closed = try #require(try store.session(id: id))
            #expect(closed.endedAt == t0 + 4000)
            #expect(closed.endReason == "offline")
            #expect(try store.openSessionsCount() == 0)

            let twice = storeError { try store.closeSession(id: id, at: t0, reason: "offline") }
            #expect(twice == StoreError(.conflict, "session \(id) (alice) is already closed"))
            let late = storeError { _ = try store.addSegment(sessionId: id, path: "/rec/3.flv", at: t0) }
            #expect(late?.kind == .conflict)
            let missing = storeError { _ = try store.addSegment(sessionId: 999, path: "/rec/4.flv", at: t0) }
            #expect(missing == StoreError(.notFound, "session 999 not found"))
        }
    }

    @Test func sessionsAreListedNewestFirstWithFilters() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let alice = try store.saveStreamer(StreamerRecord(name: "alice", urls: ["a"]))
            let bob = try store.saveStreamer(StreamerRecord(name: "bob", urls: ["b"]))
            for hour in 0..<6 {
                let owner = hour.isMultiple(of: 2) ? alice : bob
                _ = try store.openSession(
                    streamerId: owner.id, streamerName: owner.name, plugin: "p", url: "u", title: "\(hour)",
                    at: t0 + Double(hour) * 3600)
            }
            #expect(try store.sessions().map(\.title) == ["5", "4", "3", "2", "1", "0"])
            #expect(try store.sessions(streamerId: alice.id).map(\.title) == ["4", "2", "0"])
            #expect(try store.sessions(from: t0 + 3600, to: t0 + 4 * 3600).map(\.title) == ["3", "2", "1"])
            #expect(try store.sessions(limit: 2, offset: 1).map(\.title) == ["4", "3"])
        }
    }

    @Test func interruptedSessionsAreClosedByWhatIsOnDisk() throws {
        try withTempDir { dir in
            let kept = dir.file("kept.flv")
            let lost = dir.file("lost.flv")
            var sessionId: Int64 = 0
            do {
                // A recording in progress when the process dies: nothing is closed.
                let store = try dir.store()
                let session = try store.openSession(
                    streamerId: nil, streamerName: "alice", plugin: "p", url: "u", title: nil, at: t0)
                sessionId = session.id!
                let done = try store.addSegment(sessionId: sessionId, path: dir.file("done.flv"), at: t0)
                try store.finishSegment(id: done.id!, at: t0 + 10, duration: 10, bytes: 100, report: nil)
                _ = try store.addSegment(sessionId: sessionId, path: kept, at: t0 + 10)
                _ = try store.addSegment(sessionId: sessionId, path: lost, at: t0 + 20)
                #expect(FileManager.default.createFile(
                    atPath: kept, contents: Data(count: 1234), attributes: [.modificationDate: t0 + 40]))
            }

            let store = try dir.store()
            #expect(try store.openSessionsCount() == 1)
            #expect(try store.closeInterruptedSessions(at: t0 + 500) == 1)
            #expect(try store.openSessionsCount() == 0)

            let session = try #require(try store.session(id: sessionId))
            #expect(session.endedAt == t0 + 500)
            #expect(session.endReason == SessionRecord.interruptedReason)
            let segments = try store.segments(sessionId: sessionId)
            #expect(segments.map(\.state) == [.finished, .finished, .removed])
            #expect(segments[1].bytes == 1234)
            #expect(segments[1].duration == 30)  // from its start to the file's last write
            #expect(segments[2].removedReason == "interrupted; file missing")
            #expect((session.bytes, session.duration, session.segmentCount) == (1334, 40, 2))
            #expect(try store.closeInterruptedSessions(at: t0 + 600) == 0)
        }
    }
}
