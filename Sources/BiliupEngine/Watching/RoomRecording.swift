import BiliupMedia
import BiliupScript
import Foundation

/// One recording run of a live room inside a session: the recorder on its own thread, asking the
/// plugin for a fresh URL before each reconnect, reporting its segments back to the engine.
final class RoomRecording: Sendable {
    let recording: Recording

    /// `root`: the recordings folder, below which `settings.output` names the files.
    init(streamer: String, check: CheckResult, root: String, settings: RecordingSettings, checker: any RoomChecker,
         options: [String: ScriptValue], blockPrivateAddresses: Bool, onEvent: @escaping @Sendable (RecordingEvent) -> Void) {
        let stream = check.streams[0]
        var values = ["streamer": streamer, "plugin": check.plugin, "title": check.title ?? streamer]
        if let s = check.streamer { values["name"] = s }
        let url = check.url
        var recordingOptions = RecordingOptions(
            endpoint: StreamEndpoint(stream, blockPrivateAddresses: blockPrivateAddresses),
            output: OutputTemplate(root: root, pattern: settings.output ?? GlobalOptions().recording.output!),
            templateValues: values,
            format: settings.format.flatMap(OutputFormat.init(rawValue:)),
            split: SplitPolicy(maxDuration: settings.splitSeconds.map { .milliseconds(Int64($0 * 1000)) },
                               maxBytes: settings.splitBytes))
        recordingOptions.refreshEndpoint = pluginEndpointRefresher(checker: checker, url: url, options: options,
                                                                   blockPrivateAddresses: blockPrivateAddresses)
        recording = Recording(options: recordingOptions, onEvent: onEvent)
    }
}
