@testable import BiliupMedia
import BiliupNet
import BiliupTestSupport
import Foundation
import Testing

/// The end of a recording reaches its follower from the recording's own thread: the engine needs no
/// second thread per recording that only waits.
@Suite struct RecordingEndTests {
    @Test func onEndRunsOnceOnTheRecordingThreadWithTheOutcome() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-end-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Nothing listens there: the recording fails at once.
        var options = RecordingOptions(endpoint: StreamEndpoint(url: "http://127.0.0.1:\(LoopbackHTTPServer.unusedPort())/live.flv"),
                                       output: OutputTemplate(root: dir.path, pattern: "{title}"))
        options.reconnect.maxAttempts = 0
        let recording = Recording(options: options)
        let (ends, sink) = AsyncStream.makeStream(of: (RecordingOutcome, String?).self)
        recording.start { outcome in
            sink.yield((outcome, ThreadName.current))
            sink.finish()
        }
        var seen: [(RecordingOutcome, String?)] = []
        for await end in ends { seen.append(end) }
        #expect(seen.count == 1)
        guard case .failed? = seen.first?.0 else { Issue.record("expected a failure, got \(String(describing: seen.first?.0))"); return }
        #expect(seen.first?.1 == "biliup-rec")
        // wait() agrees, and returns at once.
        guard case .failed? = recording.wait(timeout: .seconds(0)) else { Issue.record("wait() does not see the end"); return }
    }
}
