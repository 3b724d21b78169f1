import BiliupDanmaku
import BiliupMedia
import BiliupScript
import Foundation

/// One recording run of a live room inside a session, as the engine tracks it (by identity: a late
/// report of an earlier run is told apart from the running one's).
final class RoomRecording: Sendable {
    let recording: any RecordingRun

    init(_ recording: any RecordingRun) {
        self.recording = recording
    }

    /// Production's recording: the recorder on its own thread, asking the plugin for a fresh URL before
    /// each reconnect, reporting its segments to `onEvent`.
    @Sendable static func mediaRecording(_ request: RecordingRequest, onEvent: @escaping @Sendable (RecordingEvent) -> Void) -> any RecordingRun {
        let check = request.check
        let stream = check.streams[0]
        var values = ["streamer": request.streamer, "plugin": check.plugin, "title": check.title ?? request.streamer]
        if let s = check.streamer { values["name"] = s }
        let settings = request.settings
        var recordingOptions = RecordingOptions(
            endpoint: StreamEndpoint(stream, blockPrivateAddresses: request.blockPrivateAddresses),
            output: OutputTemplate(root: request.root, pattern: settings.output ?? GlobalOptions().recording.output!),
            templateValues: values,
            format: settings.format.flatMap(OutputFormat.init(rawValue:)),
            split: SplitPolicy(maxDuration: settings.splitSeconds.map { .milliseconds(Int64($0 * 1000)) },
                               maxBytes: settings.splitBytes))
        recordingOptions.refreshEndpoint = pluginEndpointRefresher(checker: request.checker, url: check.url, options: request.options,
                                                                   blockPrivateAddresses: request.blockPrivateAddresses)
        guard let chat = request.danmaku else { return Recording(options: recordingOptions, onEvent: onEvent) }
        let recorder = DanmakuRecorder(request: chat.request, network: chat.network,
                                       connect: pluginDanmakuStep(checker: request.checker, plugin: check.plugin,
                                                                  parameters: chat.request.parameters, options: request.options),
                                       onMessages: chat.onMessages, onWarning: chat.onWarning)
        recordingOptions.segmentObserver = recorder
        return ChatRecordingRun(video: Recording(options: recordingOptions, onEvent: onEvent), chat: recorder, onEnd: chat.onEnd)
    }
}
