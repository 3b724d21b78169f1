import Foundation

/// Endpoints that answer a stream request with something unusable, for testing how a recorder fails:
/// `/bad/html`, `/bad/404`, `/bad/zeros`, `/bad/truncated`, `/bad/malformed.m3u8`.
/// A refused connection needs no server: use `LoopbackHTTPServer.unusedPort()`.
public enum BadSources {
    /// `/bad/zeros` sends this much per write...
    private static let zerosChunk = 64 * 1024
    /// ...this often: about 1 MB/s, fast enough to fill a recorder's buffers, slow enough to cost nothing.
    private static let zerosInterval = 0.0625

    public static func install(on server: LoopbackHTTPServer) {
        server.route("/bad/html") { _, response in
            response.send(status: 200, headers: ["Content-Type": "text/html; charset=utf-8"],
                          body: Data("<!DOCTYPE html><html><body><h1>Room closed</h1></body></html>\n".utf8))
        }
        server.route("/bad/404") { _, response in
            response.send(status: 404, body: Data("not found\n".utf8))
        }
        server.route("/bad/zeros") { _, response in
            guard response.sendHead(headers: ["Content-Type": "video/x-flv"]) else { return }
            let zeros = Data(count: zerosChunk)
            while response.write(zeros) {
                Thread.sleep(forTimeInterval: zerosInterval)
            }
            response.close()
        }
        server.route("/bad/truncated") { _, response in
            // "FLV", version 1, flags: a file header cut off before its size field.
            guard response.sendHead(headers: ["Content-Type": "video/x-flv"]) else { return }
            _ = response.write(FlvTagWriter.header().prefix(5))
            response.close()
        }
        server.route("/bad/malformed.m3u8") { _, response in
            // Looks like HLS at first glance: a non-numeric target duration, an EXTINF without a number
            // and without a URI, a negative duration; no segment anywhere.
            let body = "#EXTM3U\n#EXT-X-TARGETDURATION:abc\n#EXT-X-MEDIA-SEQUENCE:-5\n#EXTINF:x,\n#EXTINF:-3.0,\n#EXT-X-GARBAGE\n"
            response.send(status: 200, headers: ["Content-Type": "application/vnd.apple.mpegurl"], body: Data(body.utf8))
        }
    }
}
