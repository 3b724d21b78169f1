import Foundation
import Synchronization
import Testing
@testable import BiliupDanmaku

/// `DanmakuCapture` with its threads: events from a "connection" thread, segments from a "recording"
/// thread, the writer on its own; and the bounded queue between them.
@Suite struct SegmentWriterCaptureTests {
    @Test func queueKeepsAtMostItsCapacityAndCountsWhatItDrops() {
        let queue = BoundedChatQueue<Int>(capacity: 100)
        let first = (0..<60).map { ChatTime.message("m\($0)", at: Double($0)) }
        let second = (60..<250).map { ChatTime.message("m\($0)", at: Double($0)) }
        #expect(queue.offer(.messages(first)) == 0)
        #expect(queue.offer(.connected(at: ChatTime.date(0))) == 0)
        #expect(queue.offer(.messages(second)) == 150)
        #expect(queue.push(1))
        #expect(queue.count == 100)
        #expect(queue.offer(.messages(second)) == 190)
        var taken: [BoundedChatQueue<Int>.Entry] = []
        #expect(!queue.take(into: &taken, deadline: nil))
        var kept: [String] = []
        var order: [String] = []
        for entry in taken {
            switch entry {
            case .chat(.messages(let batch)): kept += batch.map(\.text); order.append("messages")
            case .chat(.connected): order.append("connected")
            case .chat(.disconnected): order.append("disconnected")
            case .command(let n): order.append("command \(n)")
            case .dropped(let count, let firstAt): order.append("dropped \(count) from \(firstAt.timeIntervalSinceReferenceDate - ChatTime.base)")
            }
        }
        #expect(kept == (0..<100).map { "m\($0)" })
        // Drops keep their place among the commands, and drops in a row are one entry.
        #expect(order == ["messages", "connected", "messages", "dropped 150 from 100.0", "command 1", "dropped 190 from 60.0"])
        // Room again once taken.
        #expect(queue.count == 0 && queue.offer(.messages(first)) == 0)
        taken.removeAll()
        #expect(!queue.take(into: &taken, deadline: nil))
        #expect(taken.count == 1)
        queue.close()
        #expect(!queue.push(2) && queue.offer(.messages(first)) == first.count)
        #expect(queue.take(into: &taken, deadline: Date.distantFuture))
    }

    @Test func threeSegmentsThroughTheCaptureThreads() throws {
        let folder = try ScratchFolder("capture")
        defer { folder.remove() }
        let fed = Mutex<[String]>([])
        let capture = DanmakuCapture(settings: .init(room: "room 1", platform: "douyu")) { batch in
            fed.withLock { $0 += batch.map(\.text) }
        }
        // Instants in the past: held messages are due at once, so each is sent after its segment opened.
        let t0 = Date.timeIntervalSinceReferenceDate - 100 - ChatTime.base
        func say(_ texts: [(String, Double)]) {
            capture.accept(.messages(texts.map { ChatTime.message($0.0, at: t0 + $0.1) }))
        }
        let connection = Thread {
            capture.accept(.connected(at: ChatTime.date(t0 - 5)))
        }
        connection.start()
        capture.segmentOpened(videoPath: folder.video("a"), firstFrameAt: ChatTime.date(t0), arrivalLag: 0.25)
        say([("a0", 0.5), ("a1", 9.75)])
        capture.segmentOpened(videoPath: folder.video("b"), firstFrameAt: ChatTime.date(t0 + 10), arrivalLag: 0.5)
        say([("a2", 9.999), ("b0", 10), ("b1", 19)])
        let a = try #require(capture.segmentClosing(videoPath: folder.video("a")))
        capture.segmentOpened(videoPath: folder.video("c"), firstFrameAt: ChatTime.date(t0 + 20), arrivalLag: 0.125)
        say([("c0", 20.25)])
        let b = try #require(capture.segmentClosing(videoPath: folder.video("b")))
        let c = try #require(capture.segmentClosing(videoPath: folder.video("c")))
        #expect(capture.finish() == 0)

        #expect(try ParsedDanmakuXML(path: a.xmlPath).chat.map(\.description) == ["a0@0.500", "a1@9.750", "a2@9.999"])
        #expect(try ParsedDanmakuXML(path: b.xmlPath).chat.map(\.description) == ["b0@0.000", "b1@9.000"])
        #expect(try ParsedDanmakuXML(path: c.xmlPath).chat.map(\.description) == ["c0@0.250"])
        #expect([a.offset, b.offset, c.offset] == [0.25, 0.5, 0.125])
        #expect([a.xmlPath, b.xmlPath, c.xmlPath] == [folder.xml("a"), folder.xml("b"), folder.xml("c")])
        #expect(fed.withLock { $0 } == ["a0", "a1", "a2", "b0", "b1", "c0"])
        // After finish: nothing is written, and closing answers at once.
        capture.accept(.messages([ChatTime.message("too late", at: t0 + 30)]))
        #expect(capture.segmentClosing(videoPath: folder.video("c")) == nil)
        #expect(capture.finish() == 0)
    }

    /// A writer that cannot keep up (here: stuck in the ASS writer) never blocks the connection and never
    /// holds more than the queue's capacity; the loss is counted in the segment it belonged to.
    @Test func aStuckWriterDropsMessagesAndCountsThem() throws {
        let folder = try ScratchFolder("stuck")
        defer { folder.remove() }
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let capacity = 1_000
        let capture = DanmakuCapture(settings: .init(room: "r", platform: "bilibili", queueCapacity: capacity, assWriter: { xml in
            if xml.hasSuffix("/a.xml") {
                entered.signal()
                release.wait()
            }
            return nil
        }))
        let t0 = Date.timeIntervalSinceReferenceDate - 100 - ChatTime.base
        capture.segmentOpened(videoPath: folder.video("a"), firstFrameAt: ChatTime.date(t0), arrivalLag: 0)
        capture.segmentOpened(videoPath: folder.video("b"), firstFrameAt: ChatTime.date(t0 + 10), arrivalLag: 0)
        let closedA = DispatchSemaphore(value: 0)
        let summaryA = Mutex<DanmakuSegmentSummary?>(nil)
        Thread {
            let s = capture.segmentClosing(videoPath: folder.video("a"))
            summaryA.withLock { $0 = s }
            closedA.signal()
        }.start()
        #expect(entered.wait(timeout: .now() + 120) == .success, "the writer never reached the ASS step")
        // 5,000 messages in batches of 50, while the writer is stuck: every call returns at once.
        for batch in 0..<100 {
            capture.accept(.messages((0..<50).map { ChatTime.message("m\(batch * 50 + $0)", at: t0 + 11 + Double(batch) * 0.01) }))
        }
        #expect(capture.dropped == 5_000 - capacity)
        release.signal()
        #expect(closedA.wait(timeout: .now() + 120) == .success)
        #expect(summaryA.withLock { $0 }?.messages == 0)
        let b = try #require(capture.segmentClosing(videoPath: folder.video("b")))
        #expect(b.messages == capacity)
        #expect(b.dropped == 5_000 - capacity)
        let parsed = try ParsedDanmakuXML(path: b.xmlPath)
        #expect(parsed.chat.map(\.text) == (0..<capacity).map { "m\($0)" })
        #expect(parsed.comments.contains { $0.hasPrefix("\(5_000 - capacity) messages dropped here") })
        capture.finish()
    }

    @Test func messagesAfterTheLastSegmentAreCounted() throws {
        let folder = try ScratchFolder("after")
        defer { folder.remove() }
        let capture = DanmakuCapture(settings: .init(room: "r", platform: "twitch"))
        let t0 = Date.timeIntervalSinceReferenceDate - 100 - ChatTime.base
        capture.segmentOpened(videoPath: folder.video("a"), firstFrameAt: ChatTime.date(t0), arrivalLag: 0)
        capture.accept(.messages([ChatTime.message("in a", at: t0 + 1)]))
        #expect(capture.segmentClosing(videoPath: folder.video("a"))?.messages == 1)
        capture.accept(.messages((0..<7).map { ChatTime.message("after \($0)", at: t0 + 50) }))
        #expect(capture.finish() == 7)
        #expect(capture.segmentClosing(videoPath: folder.video("unknown")) == nil)
    }

    /// Dropped without `finish` (an engine that lost track of it): the thread still completes the files
    /// and ends, instead of leaking with a `.part` open.
    @Test func droppingTheCaptureCompletesItsFiles() async throws {
        let folder = try ScratchFolder("dropped-capture")
        defer { folder.remove() }
        do {
            let capture = DanmakuCapture(settings: .init(room: "r", platform: "huya"))
            let t0 = Date.timeIntervalSinceReferenceDate - ChatTime.base
            capture.segmentOpened(videoPath: folder.video("a"), firstFrameAt: ChatTime.date(t0), arrivalLag: 0)
            capture.accept(.messages([ChatTime.message("bye", at: t0 + 0.5)]))
        }
        let deadline = ContinuousClock.now + .seconds(120)
        while !folder.exists("a.xml") && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try ParsedDanmakuXML(path: folder.xml("a")).chat.map(\.text) == ["bye"])
        #expect(!folder.exists("a.xml.part"))
    }
}
