import Foundation
import Synchronization
import Testing
import BiliupStore

@Suite struct EventTests {
    @Test func theLogKeepsTheNewestEventsOnly() throws {
        let maxEvents = 10
        try withTempDir { dir in
            let store = try dir.store(maxEvents: maxEvents)
            var lastId: Int64 = 0
            for n in 0..<(3 * maxEvents) {
                let event = try store.append([EventRecord(at: t0 + Double(n), kind: "segment", message: "\(n)")])[0]
                #expect(event.id! > lastId)
                lastId = event.id!
                let kept = try store.events(limit: 10 * maxEvents)
                #expect(kept.count <= maxEvents)
                if n >= maxEvents {
                    #expect(kept.count >= maxEvents - 1)  // trimmed a tenth at a time, not emptied
                }
                // Whatever is kept is the newest, in order, ending with the one just appended.
                #expect(kept.map(\.message) == (n + 1 - kept.count...n).map { "\($0)" })
            }
            // A batch larger than the whole log keeps its newest.
            let batch = (0..<(2 * maxEvents)).map { EventRecord(kind: "config", message: "batch \($0)") }
            try store.append(batch)
            let kept = try store.events(limit: 10 * maxEvents)
            #expect(kept.count <= maxEvents)
            #expect(kept.last?.message == "batch \(2 * maxEvents - 1)")
        }
    }

    @Test func eventsArePagedByIdAndFilteredByStreamer() throws {
        try withTempDir { dir in
            let store = try dir.store()
            let events = try store.append((0..<10).map {
                EventRecord(at: t0, kind: "stream_start", level: .info, streamerId: Int64($0 % 2), message: "\($0)")
            })
            let ids = events.map { $0.id! }
            #expect(try store.events(limit: 3).map(\.message) == ["7", "8", "9"])
            #expect(try store.events(afterId: ids[2], limit: 3).map(\.message) == ["3", "4", "5"])
            #expect(try store.events(beforeId: ids[5], limit: 2).map(\.message) == ["3", "4"])
            #expect(try store.events(limit: 3, streamerId: 1).map(\.message) == ["5", "7", "9"])
            #expect(try store.events() == events)
        }
    }

    @Test func readersRunWhileTheEngineWrites() throws {
        try withTempDir { dir in
            let store = try dir.store(maxEvents: 200)
            let session = try store.openSession(
                streamerId: nil, streamerName: "alice", plugin: "p", url: "u", title: nil, at: t0)
            let writes = 300
            let readers = 4
            let failures = Mutex<[String]>([])
            let group = DispatchGroup()
            for worker in 0...readers {
                DispatchQueue.global().async(group: group) {
                    do {
                        for n in 0..<writes {
                            if worker == 0 {
                                try store.append([EventRecord(kind: "segment", sessionId: session.id, message: "\(n)")])
                                if n.isMultiple(of: 10) {
                                    _ = try store.addSegment(sessionId: session.id!, path: "/rec/\(n).flv", at: t0)
                                }
                            } else {
                                _ = try store.events(limit: 50)
                                _ = try store.segments(sessionId: session.id!)
                                _ = try store.sessions()
                            }
                        }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            group.wait()
            #expect(failures.withLock { $0 } == [])
            #expect(try store.events(limit: 1).first?.message == "\(writes - 1)")
            #expect(try store.segments(sessionId: session.id!).count == writes / 10)
        }
    }
}
