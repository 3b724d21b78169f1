import BiliupDanmaku
import BiliupScript
import Foundation

// `danmaku = true`: a recording's chat, wired to the engine's events.
extension Engine {
    /// The chat part of a recording of `watch` found live by `r`, or nil (danmaku off, or a plugin that
    /// names no chat for the room: said once per session, the video is recorded all the same).
    func danmakuWiring(_ watch: StreamerWatch, _ r: CheckResult) -> DanmakuWiring? {
        let d = watch.declaration
        guard d.danmaku else { return nil }
        guard let parameters = r.danmaku, case .string(let platform)? = parameters["protocol"], !platform.isEmpty else {
            publish(EngineEvent(.error, level: .warn, streamer: watch.name, sessionId: watch.sessionId,
                                message: "danmaku: the \(r.plugin) plugin gives no chat parameters for this room; recording the video only"))
            return nil
        }
        let request = DanmakuRequest(room: r.streamer ?? watch.name, parameters: parameters,
                                     pluginOptions: d.options, detail: d.danmakuDetail, ass: d.danmakuASS)
        let feed = DanmakuLiveFeed(streamer: watch.name, streamerId: watch.streamerId) { [bus] in bus.publish($0) }
        let name = watch.name
        return DanmakuWiring(
            request: request, network: environment.chatNetwork,
            onMessages: { feed.received($0) },
            onWarning: { [weak self] message in
                Task { await self?.danmakuWarning(name, message) }
            },
            onEnd: { feed.close() })
    }

    private func danmakuWarning(_ name: String, _ message: String) {
        let watch = watches[name] ?? retiring[name]
        publish(EngineEvent(.error, level: .warn, streamer: name, sessionId: watch?.sessionId, message: message))
    }
}
