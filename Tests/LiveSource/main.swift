import BiliupTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Local live sources from the command line: the benchmark's N looping HTTP-FLV streams, and single
// FLV or HLS streams with faults, for reproducing bugs by hand.

// Block the stop signals before any thread exists (threads inherit the mask), so `sigwait` below
// receives them and the process exits through its normal path.
var stopSignals = sigset_t()
sigemptyset(&stopSignals)
sigaddset(&stopSignals, SIGINT)
sigaddset(&stopSignals, SIGTERM)
pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

do {
    let arguments = try LiveSourceArguments(Array(CommandLine.arguments.dropFirst()))
    let server = try LoopbackHTTPServer(port: arguments.port)
    BadSources.install(on: server)
    switch arguments.mode {
    case .flv:
        let files = try arguments.flvFiles.isEmpty ? [TestMedia.flv(seconds: arguments.seconds!)] : arguments.flvFiles
        let program = try FlvProgram(files: files)  // parsed once, shared by all streams
        for number in 1...arguments.streams {
            let source = FlvLiveSource(server: server, name: "s\(number)", program: program, options: arguments.flv)
            if number == 1 { printError("serving \(source.url.absoluteString) (and \(arguments.streams - 1) more)") }
        }
    case .hlsTS, .hlsFMP4:
        let media = try TestMedia.hlsSegments(seconds: arguments.seconds!, fmp4: arguments.mode == .hlsFMP4)
        let source = try HLSLiveSource(server: server, name: "s1", media: media, options: arguments.hls)
        printError("serving \(source.playlistURL.absoluteString)")
    }
    FileHandle.standardOutput.write(Data("READY \(server.port)\n".utf8))  // unbuffered: a pipe reader sees it now
    var signal: Int32 = 0
    sigwait(&stopSignals, &signal)
    server.stop()
} catch let error as UsageError {
    printError("live-source: \(error)\n\(LiveSourceArguments.usage)")
    exit(2)
} catch {
    printError("live-source: \(error)")
    exit(1)
}
