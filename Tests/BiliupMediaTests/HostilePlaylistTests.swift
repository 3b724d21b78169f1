import BiliupNet
import BiliupTestSupport
import Foundation
import Testing
@testable import BiliupMedia

/// A playlist from any server names what biliup fetches next (security issue 13, point 3). One that names
/// gopher:, dict:, ftp: or file: URLs (the classic way to send a Redis `SET` to an internal port, or to hang
/// the network thread on a FIFO) is refused with an error naming the URI, before anything is fetched:
/// the internal service sees no connection, the FIFO is never opened, and other recordings go on.
@Suite(.serialized) struct HostilePlaylistTests {
    @Test func otherSchemesInAPlaylistAreRefusedAndNeverFetched() async throws {
        let trap = try ConnectionTrap()
        defer { trap.stop() }
        let fifo = try Fifo()
        let service = "127.0.0.1:\(trap.port)"
        let head = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        let media: [(what: String, playlist: String, uri: String)] = [
            ("segment URI", head + "#EXTINF:1,\ngopher://\(service)/_SET%20owned%201%0D%0A\n#EXT-X-ENDLIST\n",
             "gopher://\(service)/_SET%20owned%201%0D%0A"),
            ("segment URI", head + "#EXTINF:1,\ndict://\(service)/info\n#EXT-X-ENDLIST\n", "dict://\(service)/info"),
            ("segment URI", head + "#EXTINF:1,\nftp://\(service)/seg0.ts\n#EXT-X-ENDLIST\n", "ftp://\(service)/seg0.ts"),
            ("segment URI", head + "#EXTINF:1,\nseg0.ts\n#EXTINF:1,\nfile://\(fifo.path)\n#EXT-X-ENDLIST\n", "file://\(fifo.path)"),
            ("EXT-X-MAP URI", head + "#EXT-X-MAP:URI=\"file://\(fifo.path)\"\n#EXTINF:1,\nseg0.m4s\n#EXT-X-ENDLIST\n", "file://\(fifo.path)"),
            ("EXT-X-KEY URI", head + "#EXT-X-KEY:METHOD=NONE,URI=\"dict://\(service)/key\"\n#EXTINF:1,\nseg0.ts\n#EXT-X-ENDLIST\n",
             "dict://\(service)/key"),
            ("variant stream URI", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\ngopher://\(service)/_x\n", "gopher://\(service)/_x"),
            ("EXT-X-MEDIA URI", "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"x\",URI=\"ftp://\(service)/a.m3u8\"\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=1000,AUDIO=\"a\"\nv.m3u8\n", "ftp://\(service)/a.m3u8"),
        ]

        // A well-behaved live stream recorded at the same time must get every segment.
        let honest = try ScriptedHLS((3...8).map { .ok(ScriptedHLS.playlist(0..<$0, end: $0 == 8)) })
        async let honestLog = onThread { drain(try honest.open()) }

        for (what, playlist, uri) in media {
            let hls = try ScriptedHLS([.ok(playlist)])
            let error = await onThread { () -> MediaError? in
                do throws(MediaError) { _ = try hls.open(); return nil } catch { return error }
            }
            guard case .network(.schemeNotAllowed(let message))? = error else {
                Issue.record("\(uri): got \(String(describing: error))"); continue
            }
            #expect(message.hasPrefix("\(what) \"\(uri)\" on line "), "\(message)")
            #expect(error!.description.hasSuffix("only http and https URLs are fetched"))
            #expect(error!.isRetryable == false)
        }

        let log = try await honestLog
        guard case .end = log.result else { Issue.record("the other recording ended with \(log.result)"); return }
        #expect(log.bytes == (0..<8).flatMap(ScriptedHLS.fakeTS))
        #expect(trap.connections == 0, "the internal service got \(trap.connections) connection(s): \(String(decoding: trap.bytes, as: UTF8.self))")
        #expect(!fifo.hasReader, "the FIFO was opened")
    }

    /// A reload that starts naming another scheme ends the stream with that error, at once (not after
    /// retries, and not by fetching it); what came before is delivered.
    @Test func aReloadNamingAnotherSchemeFailsTheStream() async throws {
        let trap = try ConnectionTrap()
        defer { trap.stop() }
        let hostile = ScriptedHLS.playlist(0..<2) + "#EXTINF:0.2,\ngopher://127.0.0.1:\(trap.port)/_FLUSHALL%0D%0A\n"
        let hls = try ScriptedHLS([.ok(ScriptedHLS.playlist(0..<2)), .ok(hostile)])
        let log = try await onThread { drain(try hls.open()) }
        #expect(log.bytes == (0..<2).flatMap(ScriptedHLS.fakeTS))
        guard case .failed(.network(.schemeNotAllowed(let m))) = log.result else { Issue.record("got \(log.result)"); return }
        #expect(m.contains("gopher://127.0.0.1:\(trap.port)/_FLUSHALL%0D%0A"))
        #expect(hls.playlistTimes.count == 2)
        #expect(trap.connections == 0)
    }

    /// End to end: the recording of such a stream fails with the error, names the URI, writes no file.
    @Test func aRecordingOfAHostilePlaylistFailsWithTheError() async throws {
        let trap = try ConnectionTrap()
        defer { trap.stop() }
        let hls = try ScriptedHLS([.ok("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\ndict://127.0.0.1:\(trap.port)/info\n")])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let recording = Recording(options: RecordingOptions(endpoint: StreamEndpoint(url: hls.url("index.m3u8")),
                                                            output: OutputTemplate(root: dir.path, pattern: "{title}")))
        recording.start()
        let outcome = await onThread { recording.wait() }
        guard case .failed(let error) = outcome else { Issue.record("got \(outcome)"); return }
        #expect(error.description.contains("dict://127.0.0.1:\(trap.port)/info"))
        #expect(error.description.contains("only http and https"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        #expect(trap.connections == 0)
    }

    /// RTMP goes to libavformat only for the streamer's own rtmp(s) URL, and libavformat gets a whitelist
    /// so that nothing it opens on its own can be a file or a pipe.
    @Test func libavformatOpensNoOtherProtocol() throws {
        let fifo = try Fifo()
        for url in ["file://\(fifo.path)", fifo.path, "pipe:0", "concat:\(fifo.path)|\(fifo.path)"] {
            #expect(throws: MediaError.self) {
                _ = try LibavDemuxer(url: url, protocols: LibavDemuxer.rtmpProtocols, timeout: .seconds(2), cancel: InterruptFlag())
            }
        }
        #expect(!fifo.hasReader)
        for url in ["rtmpt://127.0.0.1/live/x", "file:///etc/passwd", "concat:/etc/passwd"] {
            let opener = InputOpener(endpoint: StreamEndpoint(url: url), connectTimeout: .seconds(2), readTimeout: .seconds(2), notes: { _ in })
            #expect(throws: MediaError.self) { _ = try opener.open(interrupt: InterruptFlag(), onSource: { _ in }) }
        }
    }

    /// With block_private_addresses, RTMP (which libavformat connects itself) is refused by resolving its host
    /// first, and HTTP and HLS inputs at the connection; the services behind them see nothing.
    @Test func privateAddressesAreRefusedForEveryKindOfInput() async throws {
        let trap = try ConnectionTrap()
        defer { trap.stop() }
        for url in ["rtmp://127.0.0.1:\(trap.port)/live/room", "rtmp://localhost:\(trap.port)/live/room",
                    "http://127.0.0.1:\(trap.port)/live/room.flv", "http://127.0.0.1:\(trap.port)/live/index.m3u8"] {
            let opener = InputOpener(endpoint: StreamEndpoint(url: url, blockPrivateAddresses: true),
                                     connectTimeout: .seconds(5), readTimeout: .seconds(5), notes: { _ in })
            let error = await onThread { () -> MediaError? in
                do throws(MediaError) { _ = try opener.open(interrupt: InterruptFlag(), onSource: { _ in }); return nil } catch { return error }
            }
            guard case .network(.privateAddress(let address))? = error else { Issue.record("\(url): \(String(describing: error))"); continue }
            #expect(address == "127.0.0.1" || address == "::1")
        }
        #expect(trap.connections == 0)
    }
}
