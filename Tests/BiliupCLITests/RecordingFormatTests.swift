import BiliupTestSupport
import Foundation
import Testing

/// Acceptance 2: a 65 s live stream recorded with 20 s splits gives 4 files, each starting at 0 on a
/// keyframe, durations adding up to 65 s, every frame sent recorded once, and clean decoding:
/// for every input kind and every output format.
@Suite struct RecordingFormatTests {
    static let streamSeconds = 65
    /// Media seconds per real second; pacing is not what these tests are about.
    static let speed = 10.0

    enum Input: String, CaseIterable, Sendable { case flv, hlsTS = "hls-ts", hlsFMP4 = "hls-fmp4" }

    @Test(arguments: Input.allCases, ["flv", "ts", "mkv", "mp4"])
    func recordsSplitFilesThatPassEveryCheck(input: Input, format: String) async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let dir = try scratchDirectory("\(input.rawValue)-\(format)")
        let url: String
        let framesSent: @Sendable () throws -> (video: Int, audio: Int)
        switch input {
        case .flv:
            let source = try FlvLiveSource(server: server, name: "room", file: try TestMedia.flv(seconds: Self.streamSeconds),
                                           options: .init(speed: Self.speed))
            url = source.url.absoluteString
            framesSent = { (source.videoFramesSent, source.audioFramesSent) }
        case .hlsTS, .hlsFMP4:
            let media = try TestMedia.hlsSegments(seconds: Self.streamSeconds, fmp4: input == .hlsFMP4)
            // The client reloads once per target duration of real time; at 10× speed that is ten segments.
            let source = try HLSLiveSource(server: server, name: "room", media: media,
                                           options: .init(speed: Self.speed, window: 16))
            url = source.playlistURL.absoluteString
            framesSent = {
                try source.requestedSegments.reduce((0, 0)) { sum, i in
                    let c = try segmentFrameCounts(media, i)
                    return (sum.0 + c.video, sum.1 + c.audio)
                }
            }
        }

        let run = try await BiliupProcess.run(["download", url, "-o", dir.path + "/{title}_{index}_%H%M%S",
                                         "--format", format, "--split-time", "20s"])
        #expect(run.status == 0, "biliup failed: \(run.stderr)")
        let files = try recordedFiles(in: dir)
        #expect(try recordedFiles(in: dir, part: true).isEmpty)
        #expect(files.count == 4, "files: \(files.map(\.lastPathComponent))")

        let facts = try await onThread { try files.map { try FileFacts($0) } }
        var total = 0.0
        var video = 0
        var audio = 0
        for (file, f) in zip(files, facts) {
            #expect(abs(f.startTime) <= 0.1, "\(file.lastPathComponent) starts at \(f.startTime)")
            #expect(f.firstVideoIsKeyframe == true, "\(file.lastPathComponent) does not start on a keyframe")
            #expect(f.decodeErrors.isEmpty, "\(file.lastPathComponent): \(f.decodeErrors)")
            total += f.duration
            video += f.videoFrames
            audio += f.audioFrames
        }
        let sent = try await onThread { try framesSent() }
        // HLS starts at the live edge, so it may begin after the stream's first seconds.
        let expected = input == .flv ? Double(Self.streamSeconds) : Double(sent.video) / 25
        #expect(abs(total - expected) <= 1, "durations add up to \(total) s, expected \(expected) s")
        #expect(video == sent.video, "video frames recorded \(video), sent \(sent.video)")
        #expect(audio == sent.audio, "audio frames recorded \(audio), sent \(sent.audio)")
        if input == .flv { #expect(sent.video == Self.streamSeconds * 25) }
    }
}

/// Frames in one HLS segment; an fMP4 segment is only readable behind its init section.
func segmentFrameCounts(_ media: HLSMedia, _ index: Int) throws -> (video: Int, audio: Int) {
    guard let initSection = media.initSection else { return try TestMedia.frameCounts(media.segments[index]) }
    let joined = FileManager.default.temporaryDirectory.appendingPathComponent("seg-\(UUID().uuidString).mp4")
    defer { try? FileManager.default.removeItem(at: joined) }
    try (Data(contentsOf: initSection) + Data(contentsOf: media.segments[index])).write(to: joined)
    return try TestMedia.frameCounts(joined)
}
