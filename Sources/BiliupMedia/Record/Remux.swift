import Foundation

/// Copies a recorded file into another container (flv, ts, mkv or mp4, from the destination's
/// extension) without re-encoding, through the same repair rules and writer as a recording: what
/// main.lua's `biliup.remux` does. Blocking: call it from a thread that may block.
public enum Remux {
    public static func file(_ source: String, to destination: String) throws(MediaError) -> SegmentReport {
        let ext = (destination as NSString).pathExtension.lowercased()
        guard let format = OutputFormat.allCases.first(where: { $0.fileExtension == ext }) else {
            throw .unsupported("\(destination): the extension must be \(OutputFormat.names)")
        }
        guard FileManager.default.fileExists(atPath: source) else { throw .io("\(source): no such file") }
        guard !FileManager.default.fileExists(atPath: destination) else { throw .io("\(destination) exists") }
        let demuxer = try open(source)
        var report: SegmentReport?
        let segmenter = Segmenter(format: format, split: SplitPolicy(), nextFile: { () throws(MediaError) in
            try SegmentFile.exactly(destination)
        }, onEvent: { event in
            if case .closed(_, let r) = event { report = r }
        })
        let pipeline = PacketPipeline(segmenter: segmenter, maxDuration: nil)
        try pipeline.begin(tracks: demuxer.tracks, reconnect: nil)
        reading: while true {
            switch demuxer.next() {
            case .packet(let p): _ = try pipeline.push(p)
            case .tracksChanged(let tracks): try pipeline.begin(tracks: tracks, reconnect: nil, sameInput: true)
            case .finished(.failed(let e)): throw e
            case .finished: break reading
            }
        }
        try segmenter.closeAll(reason: "remuxed from \(source)")
        guard let report else { throw .demux("\(source): no media to copy") }
        return report
    }

    /// FLV through our own demuxer (it reads HEVC with codec id 12), anything else through libavformat.
    private static func open(_ path: String) throws(MediaError) -> any PacketSource {
        let head = FileHandle(forReadingAtPath: path)?.readData(ofLength: 3) ?? Data()
        if head == Data("FLV".utf8) { return try FlvDemuxer(source: FileByteSource(path: path)) }
        return try LibavDemuxer(url: path, protocols: LibavDemuxer.fileProtocols, timeout: .seconds(30), cancel: InterruptFlag())
    }
}
