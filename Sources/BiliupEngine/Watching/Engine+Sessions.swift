import Foundation

// When a session (a broadcast) begins and ends, by its frames rather than by what checks say: a plugin
// may call a gone stream live (a direct FLV URL cannot be checked without recording it), and the
// recording that then cannot open it must not begin or prolong a session.
extension Engine {
    /// The watch's session, opened (with its `stream_start`) if this frame is its first. nil when the
    /// store refused: the recording is stopped, files it wrote stay on disk.
    func openSessionAtFirstFrame(_ watch: StreamerWatch) -> Int64? {
        if let id = watch.sessionId { return id }
        guard let r = watch.liveCheck else { return nil }
        do {
            let session = try store.openSession(streamerId: watch.streamerId, streamerName: watch.name, plugin: r.plugin,
                                                url: r.url, title: r.title, at: clock.now)
            watch.sessionId = session.id
            publish(EngineEvent(.streamStart, streamer: watch.name, sessionId: session.id, message: "live: \(r.title ?? "")",
                                data: ["url": .string(r.url), "title": .string(r.title ?? ""), "plugin": .string(r.plugin),
                                       "stream": .string(r.streams[0].url)]))
            return session.id
        } catch {
            publish(EngineEvent(.error, level: .error, streamer: watch.name, message: "cannot record: \(error)"))
            watch.recording?.recording.stop()
            return nil
        }
    }

    /// When the open session is over unless the stream comes back: `delay` after its last frame.
    func sessionDeadline(_ watch: StreamerWatch) -> Date? {
        guard watch.sessionId != nil, let lastFrame = watch.lastFrameAt else { return nil }
        return lastFrame + (settings(for: watch.declaration).delay ?? 120)
    }
}
