import BiliupTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The WebSocket swarm against a raw-socket server in this file, which answers the upgrade and then plays
/// a script of frames to each connection. Serialized: the big tests each want the two cores to themselves.
@Suite(.serialized) struct WebSocketSwarmTests {
    private static let cookie = "session=abc; theme=dark"
    private static let authorization = "Bearer t0k3n"

    @Test func acceptValueMatchesTheRFC6455Example() {
        #expect(WebSocketSwarm.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func seqAndSkippedAreReadFromTheTopLevelOnly() {
        let cases: [(String, Int?, Bool)] = [
            (#"{"type":"log","seq":42,"msg":"x"}"#, 42, false),
            (#"{"seq":42,"type":"log"}"#, 42, false),
            (#"{"type":"skipped","seq":7}"#, 7, true),
            (#"{"type":"skipped","from":3,"to":9}"#, nil, true),
            (#"{ "type" : "log" ,"seq" :5 }"#, 5, false),
            (#"{"data":{"seq":1,"type":"skipped"},"list":[{"seq":3}],"seq":2,"type":"log"}"#, 2, false),
            (#"{"msg":"a \"seq\":9 \\","type":"lo\"g","seq":11}"#, 11, false),
            (#"{"type":"a\"b","seq":12}"#, 12, false),
            (#"{"type":"hello"}"#, nil, false),
            (#"{"seq":"12","type":"log"}"#, nil, false),
            (#"{"type":"log","seq":-3}"#, -3, false),
            (#"{"type":"log","seq":3"#, 3, false),  // cut short: still read
            // Sorted keys (the server's encoder): "seq" after other members.
            (#"{"data":{},"kind":"error","level":"warn","message":"burst 1 of 9","seq":2,"timestamp":1.5,"type":"log"}"#, 2, false),
            (#"{"data":[],"message":"a {} [] b","seq":4,"type":"log"}"#, 4, false),
            (#"{"data":{"seq":9,"x":[1]},"kind":"x","seq":3,"type":"log"}"#, 3, false),
            (#"{"message":"a { b","seq":5,"type":"log"}"#, 5, false),
            (#"{"message":"x \"seq\":1 y","seq":6,"type":"log"}"#, 6, false),
            (#"{"a\"seq":1,"seq":7}"#, 7, false),
            (#"{"count":3,"type":"skipped"}"#, nil, true),
            (#"{"count":3,"seq":8,"type":"skipped"}"#, 8, true),
            (#"{"message":"skipped","seq":10,"type":"log"}"#, 10, false),
            ("[1,2]", nil, false),
            ("", nil, false),
        ]
        for (message, seq, skipped) in cases {
            let got = WebSocketSwarm.inspect(message)
            #expect(got.seq == seq && got.skipped == skipped, "\(message) gave \(got)")
        }
    }

    @Test func twoHundredSubscribersReceiveEveryFrameInOrder() async throws {
        let (count, frames) = (200, 5_000)
        let server = try ScriptedWebSocketServer { n in
            // Like a subscriber sending its filter: nothing comes until the client's text message does.
            var steps: [ScriptedWebSocketServer.Step] = [.awaitText, .ping("p\(n)-a")]
            // The first connection gets its first frames a byte at a time: frames split across reads.
            steps += n == 0 ? [.trickle([.logs(1...5)], pause: 100), .logs(6...2_999)] : [.logs(1...2_999)]
            // 3,001...3,100 come as one frame of newline-separated messages, as biliup's feed sends them.
            steps += [.fragmentedLog(3_000, ping: "p\(n)-b"), .binary([0, 1, 2, 255]), .batch(3_001...3_100),
                      .logs(3_101...frames), .close(1000)]
            return steps
        }
        defer { server.stop() }
        let cpuBefore = processCPUSeconds()
        let start = ContinuousClock.now

        let swarm = try await WebSocketSwarm.connect(
            count: count, port: server.port, path: "/api/events?since=0",
            headers: ["Cookie": Self.cookie, "Authorization": Self.authorization])
        defer { swarm.closeAll() }
        for i in 0..<count { #expect(swarm.send(text: #"{"filter":"conn-\#(i)"}"#, to: i)) }

        #expect(await swarm.waitForAll(lastSeq: frames, timeout: .seconds(600)))
        #expect(await swarm.waitUntil(timeout: .seconds(60)) { $0.allSatisfy { $0.state == .closed } })
        let elapsed = ContinuousClock.now - start
        let swarmCPU = swarm.cpuSeconds()
        let processCPU = processCPUSeconds() - cpuBefore

        let stats = swarm.stats()
        let wrong = stats.filter {
            $0.messages != frames + 1 || $0.binaryMessages != 1 || $0.firstSeq != 1 || $0.lastSeq != frames
                || $0.violations != 0 || $0.unsequenced != 0 || $0.skipped != 0 || $0.missed != 0 || $0.pings != 2
                || $0.closeCode != 1000 || $0.error != nil
        }
        #expect(wrong.isEmpty, "\(wrong.count) connections off, e.g. \(wrong.prefix(2))")
        let payload = ScriptedWebSocketServer.logPayloadBytes(1...frames) + 4 + 99  // the binary, the batch's newlines
        #expect(stats.allSatisfy { $0.payloadBytes == payload })
        // Many frames arrive per read: the parser walks a read's frames in place.
        let (messages, reads) = stats.reduce((0, 0)) { ($0.0 + $1.messages, $0.1 + $1.reads) }
        #expect(reads < messages / 10)

        #expect(await server.waitFinished(count, timeout: .seconds(60)))
        let records = server.records()
        #expect(records.count == count)
        for record in records.prefix(count) {
            #expect(record.requestLine == "GET /api/events?since=0 HTTP/1.1")
            #expect(record.headers["cookie"] == Self.cookie)
            #expect(record.headers["authorization"] == Self.authorization)
            #expect(record.headers["sec-websocket-version"] == "13")
            #expect(record.headers["host"] == "127.0.0.1:\(server.port)")
            #expect(record.pongs == ["p\(record.number)-a", "p\(record.number)-b"], "connection \(record.number)")
            #expect(record.unmaskedFrames == 0)
            #expect(record.clientClose == 1000)
            #expect(record.texts.count == 1)
        }
        #expect(Set(records.flatMap(\.texts)) == Set((0..<count).map { #"{"filter":"conn-\#($0)"}"# }))

        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("""
            WebSocketSwarm: \(count) connections, \(messages) messages in \(String(format: "%.2f", seconds)) s \
            (\(Int(Double(messages) / seconds)) messages/s, server included); swarm thread CPU \
            \(String(format: "%.3f", swarmCPU)) s = \(String(format: "%.2f", swarmCPU / Double(messages) * 1e6)) µs/message; \
            process CPU \(String(format: "%.2f", processCPU)) s; reads \(reads)
            """)
    }

    @Test func framesSplitAcrossReadsAreReassembled() async throws {
        // 199...203 span the 125/126-byte boundary between 7- and 16-bit lengths.
        let server = try ScriptedWebSocketServer { _ in
            [.trickle([.ping("split"), .logs(199...203), .fragmentedLog(204, ping: "mid")], pause: 200), .close(1000)]
        }
        defer { server.stop() }
        let swarm = try await WebSocketSwarm.connect(count: 1, port: server.port)
        defer { swarm.closeAll() }
        #expect(await swarm.waitUntil(timeout: .seconds(60)) { $0[0].state == .closed })
        let s = swarm.stats(0)
        #expect(s.messages == 6)
        #expect(s.firstSeq == 199 && s.lastSeq == 204)
        #expect(s.violations == 0 && s.error == nil && s.pings == 2 && s.closeCode == 1000)
        #expect(s.reads > 20, "the server wrote ~800 bytes one at a time; the client saw only \(s.reads) reads")
        #expect(await server.waitFinished(1, timeout: .seconds(30)))
        #expect(server.records().first?.pongs == ["split", "mid"])
    }

    @Test func aStalledSubscriberDoesNotHoldUpTheOthers() async throws {
        let (count, frames, stalled) = (20, 5_000, [3, 11])
        // Small socket buffers on both sides make the server's writes to a stalled subscriber block after
        // a few KB (by default the kernel buffers megabytes on loopback).
        let server = try ScriptedWebSocketServer(sendBufferSize: 16 << 10) { _ in [.logs(1...frames), .close(1000)] }
        defer { server.stop() }
        let swarm = try await WebSocketSwarm.connect(
            count: count, port: server.port, stalled: Set(stalled),
            options: .init(stalledReceiveBufferSize: 4096))
        defer { swarm.closeAll() }

        #expect(await swarm.waitForAll(lastSeq: frames, timeout: .seconds(300)))
        for i in stalled {
            let s = swarm.stats(i)
            #expect(s.stalled && s.state == .open && s.messages == 0 && !s.peerShutdown, "\(s)")
        }
        #expect(await server.waitUntil(timeout: .seconds(30)) { $0.filter(\.sentAll).count == count - stalled.count })
        try await Task.sleep(for: .milliseconds(300))
        #expect(server.records().filter(\.sentAll).count == count - stalled.count,
                "the stalled subscribers' server writes should be blocked")

        swarm.resume(stalled)
        #expect(await swarm.waitForAll(lastSeq: frames, timeout: .seconds(300)))
        #expect(await swarm.waitUntil(timeout: .seconds(60)) { $0.allSatisfy { $0.state == .closed } })
        let wrong = swarm.stats().filter {
            $0.messages != frames || $0.firstSeq != 1 || $0.violations != 0 || $0.closeCode != 1000 || $0.error != nil
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(2))")
        #expect(await server.waitFinished(count, timeout: .seconds(60)))
    }

    @Test func aStalledSubscriberNoticesTheServerHangingUp() async throws {
        let server = try ScriptedWebSocketServer { _ in [.logs(1...10), .hangUp] }
        defer { server.stop() }
        let swarm = try await WebSocketSwarm.connect(count: 2, port: server.port, stalled: [0, 1])
        defer { swarm.closeAll() }
        #expect(await swarm.waitUntil(timeout: .seconds(30)) { $0.allSatisfy(\.peerShutdown) })
        #expect(swarm.stats().allSatisfy { $0.messages == 0 && $0.state == .open })

        swarm.resumeAll()
        #expect(await swarm.waitUntil(timeout: .seconds(30)) { $0.allSatisfy { $0.state == .closed } })
        for s in swarm.stats() {
            #expect(s.messages == 10 && s.lastSeq == 10 && s.violations == 0, "\(s)")
            #expect(s.closeCode == nil && s.error == nil, "\(s)")
        }
    }

    @Test func aSkippedMarkerAllowsAJumpAndGapsAreViolations() async throws {
        let server = try ScriptedWebSocketServer { _ in
            [.text(#"{"type":"hello"}"#), .logs(1...100), .text(#"{"type":"skipped","count":50}"#), .logs(151...200),
             .logs(202...210), .logs(210...210), .close(1000)]
        }
        defer { server.stop() }
        let swarm = try await WebSocketSwarm.connect(count: 1, port: server.port)
        defer { swarm.closeAll() }
        #expect(await swarm.waitUntil(timeout: .seconds(30)) { $0[0].state == .closed })
        let s = swarm.stats(0)
        #expect(s.messages == 1 + 100 + 1 + 50 + 9 + 1)
        #expect(s.unsequenced == 1 && s.skipped == 1 && s.missed == 50)
        #expect(s.violations == 2)  // 202 after 200, and 210 twice
        #expect(s.firstViolation == WebSocketSwarm.SequenceViolation(message: 153, previous: 200, got: 202))
        #expect(s.lastSeq == 210 && s.closeCode == 1000)
    }

    @Test func disconnectAndCloseAllSendCloseFrames() async throws {
        // No close from the server: it reads client frames after the logs until the client's close.
        let server = try ScriptedWebSocketServer { _ in [.logs(1...10)] }
        defer { server.stop() }
        let swarm = try await WebSocketSwarm.connect(count: 3, port: server.port)
        defer { swarm.closeAll() }
        #expect(await swarm.waitForAll(lastSeq: 10, timeout: .seconds(30)))
        swarm.disconnect([1])
        #expect(swarm.stats().map(\.state) == [.open, .closed, .open])
        #expect(!swarm.send(text: "late", to: 1))
        #expect(await server.waitFinished(1, timeout: .seconds(30)))
        #expect(server.records().filter(\.finished).map(\.clientClose) == [1000])

        swarm.closeAll()
        #expect(swarm.stats().allSatisfy { $0.state == .closed && $0.error == nil && $0.closeCode == nil })
        #expect(await server.waitFinished(3, timeout: .seconds(30)))
        #expect(server.records().map(\.clientClose) == [1000, 1000, 1000])
    }

    @Test func handshakeFailuresAreClearErrors() async throws {
        let wrongAccept = try ScriptedWebSocketServer(handshake: .wrongAccept) { _ in [.close(1000)] }
        defer { wrongAccept.stop() }
        await expectConnectError(port: wrongAccept.port, containing: ["Sec-WebSocket-Accept", "expected"])

        let forbidden = try ScriptedWebSocketServer(handshake: .status(403)) { _ in [] }
        defer { forbidden.stop() }
        await expectConnectError(port: forbidden.port, containing: ["403"])

        await expectConnectError(port: unusedLoopbackPort(), containing: ["refused"])
    }

    @Test func aThousandConnections() async throws {
        let (count, frames) = (1_000, 1_000)
        let server = try ScriptedWebSocketServer { _ in [.logs(1...frames), .close(1000)] }
        defer { server.stop() }
        let start = ContinuousClock.now
        let swarm = try await WebSocketSwarm.connect(count: count, port: server.port, options: .init(threads: 2))
        defer { swarm.closeAll() }
        #expect(await swarm.waitForAll(lastSeq: frames, timeout: .seconds(600)))
        #expect(await swarm.waitUntil(timeout: .seconds(60)) { $0.allSatisfy { $0.state == .closed } })
        let elapsed = ContinuousClock.now - start
        let wrong = swarm.stats().filter {
            $0.messages != frames || $0.firstSeq != 1 || $0.violations != 0 || $0.closeCode != 1000 || $0.error != nil
        }
        #expect(wrong.isEmpty, "\(wrong.count) connections off, e.g. \(wrong.prefix(2))")
        let cpu = swarm.cpuSeconds()
        print("WebSocketSwarm: \(count) connections × \(frames) messages in \(elapsed); swarm thread CPU \(String(format: "%.3f", cpu)) s")
        #expect(await server.waitFinished(count, timeout: .seconds(60)))
    }

    private func expectConnectError(port: Int, containing words: [String]) async {
        do {
            let swarm = try await WebSocketSwarm.connect(count: 3, port: port, options: .init(connectTimeout: .seconds(30)))
            swarm.closeAll()
            Issue.record("connected to port \(port), expected an error mentioning \(words)")
        } catch {
            let text = "\(error)"
            for word in words { #expect(text.contains(word), "\(text)") }
        }
    }
}

private func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

private func loopbackListener(backlog: Int32?) throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = in_addr_t(INADDR_LOOPBACK).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && (backlog.map { listen(fd, $0) == 0 } ?? true) && getsockname(fd, $0, &length) == 0
        }
    }
    guard ok else {
        let code = errno
        close(fd)
        throw POSIXError(.init(rawValue: code) ?? .EIO)
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// A port nothing listens on.
private func unusedLoopbackPort() -> Int {
    let (fd, port) = try! loopbackListener(backlog: nil)
    close(fd)
    return port
}

/// A WebSocket server in miniature: a thread per connection reads the upgrade request, answers it (or
/// answers it wrongly), plays the script for its connection number (accept order, from 0) with blocking
/// writes, then reads the client's frames (pongs, texts) until the client's close frame.
final class ScriptedWebSocketServer: @unchecked Sendable {
    enum Handshake: Sendable { case accept, wrongAccept, status(Int) }

    indirect enum Step: Sendable {
        case ping(String)
        /// `{"type":"log","seq":N,...}` text frames; some sizes cross the 7/16/64-bit length boundaries.
        case logs(ClosedRange<Int>)
        /// Log messages in one text frame, a line each.
        case batch(ClosedRange<Int>)
        /// One log message in three frames (text, continuation, continuation) with a ping between.
        case fragmentedLog(Int, ping: String)
        case text(String)
        case binary([UInt8])
        /// Wait for the client's next text message (pongs before it are recorded too).
        case awaitText
        /// These steps written one byte per `send`, `pause` microseconds apart.
        case trickle([Step], pause: UInt32)
        case close(UInt16)
        /// Close the socket without a close frame.
        case hangUp
    }

    struct Record: Sendable {
        var number: Int
        var requestLine = ""
        var headers: [String: String] = [:]
        var sentAll = false
        var pongs: [String] = []
        var texts: [String] = []
        var clientClose: UInt16?
        var unmaskedFrames = 0
        var finished = false
        var error: String?
    }

    let port: Int
    private let listener: Int32
    private let handshake: Handshake
    private let sendBufferSize: Int?
    private let script: @Sendable (Int) -> [Step]
    private let lock = NSLock()
    private var recorded: [Record] = []
    private var openFDs: Set<Int32> = []
    private var stopped = false

    /// `sendBufferSize` sets SO_SNDBUF on each connection (which also stops the kernel growing it).
    init(handshake: Handshake = .accept, sendBufferSize: Int? = nil, script: @escaping @Sendable (Int) -> [Step]) throws {
        (listener, port) = try loopbackListener(backlog: 1024)
        self.handshake = handshake
        self.sendBufferSize = sendBufferSize
        self.script = script
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    func stop() {
        lock.lock()
        stopped = true
        let fds = openFDs
        lock.unlock()
        shutdown(listener, Int32(SHUT_RDWR))  // wakes accept()
        for fd in fds { shutdown(fd, Int32(SHUT_RDWR)) }  // wakes blocked writes; each thread closes its own
    }

    func records() -> [Record] {
        lock.lock(); defer { lock.unlock() }
        return recorded
    }

    func waitUntil(timeout: Duration, _ predicate: ([Record]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !predicate(records()) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    func waitFinished(_ count: Int, timeout: Duration) async -> Bool {
        await waitUntil(timeout: timeout) { $0.count(where: \.finished) >= count }
    }

    private func update(_ number: Int, _ change: (inout Record) -> Void) {
        lock.lock()
        change(&recorded[number])
        lock.unlock()
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                break
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            lock.lock()
            if stopped { lock.unlock(); close(fd); break }
            let number = recorded.count
            recorded.append(Record(number: number))
            openFDs.insert(fd)
            lock.unlock()
            let thread = Thread { [self] in
                serve(fd, number)
                lock.lock()
                openFDs.remove(fd)
                lock.unlock()
                close(fd)
            }
            thread.stackSize = 256 << 10
            thread.start()
        }
        close(listener)
    }

    private func serve(_ fd: Int32, _ number: Int) {
        var noDelay: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        if let sendBufferSize {
            var size = Int32(sendBufferSize)
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var timeout = timeval(tv_sec: 120, tv_usec: 0)  // a safety net for a client that never closes
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let reader = FrameReader(fd: fd)

        guard let head = reader.readHead() else { return update(number) { $0.error = "no request"; $0.finished = true } }
        let lines = head.components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        update(number) { $0.requestLine = lines[0]; $0.headers = headers }

        let accept: String
        switch handshake {
        case .accept: accept = WebSocketSwarm.acceptValue(forKey: headers["sec-websocket-key"] ?? "")
        case .wrongAccept: accept = WebSocketSwarm.acceptValue(forKey: "not the key")
        case .status(let code):
            _ = writeAll(fd, Array("HTTP/1.1 \(code) No\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
            return update(number) { $0.finished = true }
        }
        var out = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept)\r\n\r\n".utf8)

        var hangUp = false
        for step in script(number) {
            if case .hangUp = step { hangUp = true; break }
            if case .awaitText = step {
                guard writeAll(fd, out) else { break }
                out = []
                readClientFrames(reader, number, until: 1)
                continue
            }
            if case .trickle(let steps, let pause) = step {
                guard writeAll(fd, out) else { break }
                out = []
                var bytes: [UInt8] = []
                for inner in steps { Self.append(inner, to: &bytes) }
                for byte in bytes {
                    guard writeAll(fd, [byte]) else { break }
                    usleep(pause)
                }
                continue
            }
            Self.append(step, to: &out)
            if out.count >= 64 << 10 {
                guard writeAll(fd, out) else { break }
                out.removeAll(keepingCapacity: true)
            }
        }
        let sent = writeAll(fd, out)
        update(number) { $0.sentAll = sent }
        if !hangUp { readClientFrames(reader, number, until: 8) }
        update(number) { $0.finished = true }
    }

    /// Records client frames up to one with opcode `last` (1: a text message, 8: the close).
    private func readClientFrames(_ reader: FrameReader, _ number: Int, until last: UInt8) {
        while let (opcode, masked, payload) = reader.readFrame() {
            update(number) {
                if !masked { $0.unmaskedFrames += 1 }
                switch opcode {
                case 10: $0.pongs.append(String(decoding: payload, as: UTF8.self))
                case 1: $0.texts.append(String(decoding: payload, as: UTF8.self))
                case 8: $0.clientClose = payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : 1005
                default: break
                }
            }
            if opcode == last || opcode == 8 { return }
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count > 0 { sent += count } else if count < 0 && errno == EINTR { continue } else { return false }
        }
        return true
    }

    // MARK: Frames

    static func append(_ step: Step, to out: inout [UInt8]) {
        switch step {
        case .ping(let text): appendFrame(9, Array(text.utf8), to: &out)
        case .logs(let range): for seq in range { appendFrame(1, logPayload(seq), to: &out) }
        case .batch(let range): appendFrame(1, Array(range.map(logPayload).joined(separator: [0x0a])), to: &out)
        case .fragmentedLog(let seq, let ping):
            let payload = logPayload(seq)
            let (a, b) = (payload.count / 3, 2 * payload.count / 3)
            appendFrame(1, fin: false, Array(payload[..<a]), to: &out)
            appendFrame(9, Array(ping.utf8), to: &out)
            appendFrame(0, fin: false, Array(payload[a..<b]), to: &out)
            appendFrame(0, Array(payload[b...]), to: &out)
        case .text(let text): appendFrame(1, Array(text.utf8), to: &out)
        case .binary(let bytes): appendFrame(2, bytes, to: &out)
        case .trickle(let steps, _): for inner in steps { append(inner, to: &out) }
        case .close(let code): appendFrame(8, [UInt8(code >> 8), UInt8(code & 0xff)], to: &out)
        case .hangUp, .awaitText: break
        }
    }

    static func appendFrame(_ opcode: UInt8, fin: Bool = true, _ payload: [UInt8], to out: inout [UInt8]) {
        out.append((fin ? 0x80 : 0) | opcode)
        if payload.count < 126 {
            out.append(UInt8(payload.count))
        } else if payload.count <= 0xffff {
            out += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        } else {
            out.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((payload.count >> shift) & 0xff)) }
        }
        out += payload
    }

    /// How long log message `seq` is: mostly 110 bytes; some on either side of 125/126 (7- vs 16-bit
    /// length), 300, 65,535/65,536 (16- vs 64-bit) and 70,000.
    static func logLength(_ seq: Int) -> Int {
        switch (seq, seq % 1000) {
        case (2_500, _): 70_000
        case (4_000, _): 65_535
        case (4_001, _): 65_536
        case (_, 200): 125
        case (_, 201): 126
        case (_, 300): 300
        default: 110
        }
    }

    static func logPayloadBytes(_ range: ClosedRange<Int>) -> Int {
        range.reduce(0) { $0 + logLength($1) }
    }

    private static let nested = Array(#""data":{"seq":0,"type":"skipped","list":[1,{"seq":2}]},"#.utf8)
    private static let messageStart = Array(#""msg":"q \"seq\":0 \\"#.utf8)
    private static let messageEnd = Array(#"\\"}"#.utf8)

    /// `{"type":"log",["data":{nested decoys},]"seq":N,"msg":"...escaped decoys..."}`, `logLength(seq)` long.
    static func logPayload(_ seq: Int) -> [UInt8] {
        var out = Array(#"{"type":"log","#.utf8)
        if seq % 10 == 3 { out += nested }
        out += Array(#""seq":\#(seq),"#.utf8)
        out += messageStart
        let fill = logLength(seq) - out.count - messageEnd.count
        precondition(fill >= 0, "log \(seq) too short for its fixed parts")
        out += [UInt8](repeating: 0x78, count: fill)
        out += messageEnd
        return out
    }
}

/// Blocking reads of the upgrade request and of (masked) client frames.
private final class FrameReader {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    init(fd: Int32) { self.fd = fd }

    private func fill(_ count: Int) -> Bool {
        while buffer.count - start < count {
            var chunk = [UInt8](repeating: 0, count: 64 << 10)
            let got = recv(fd, &chunk, chunk.count, 0)
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return false }
            if start > 0 { buffer.removeFirst(start); start = 0 }
            buffer += chunk[..<got]
        }
        return true
    }

    private func take(_ count: Int) -> [UInt8] {
        defer { start += count }
        return Array(buffer[start..<start + count])
    }

    func readHead() -> String? {
        while true {
            let text = String(decoding: buffer[start...], as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let head = String(text[..<end.lowerBound])
                start += text.utf8.distance(from: text.startIndex, to: end.upperBound)
                return head
            }
            guard fill(buffer.count - start + 1) else { return nil }
        }
    }

    func readFrame() -> (opcode: UInt8, masked: Bool, payload: [UInt8])? {
        guard fill(2) else { return nil }
        let head = take(2)
        var length = Int(head[1] & 0x7f)
        if length == 126 {
            guard fill(2) else { return nil }
            length = take(2).reduce(0) { $0 << 8 | Int($1) }
        } else if length == 127 {
            guard fill(8) else { return nil }
            length = take(8).reduce(0) { $0 << 8 | Int($1) }
        }
        let masked = head[1] & 0x80 != 0
        var mask: [UInt8] = [0, 0, 0, 0]
        if masked {
            guard fill(4) else { return nil }
            mask = take(4)
        }
        guard fill(length) else { return nil }
        var payload = take(length)
        for i in payload.indices { payload[i] ^= mask[i & 3] }
        return (head[0] & 0x0f, masked, payload)
    }
}
