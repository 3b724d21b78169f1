import BiliupMedia

/// A recording with its chat: the chat connects when the recording starts and is finished when the
/// recording ends (the recorder's `recordingEnded` normally did it already; this covers a recording
/// that ended before its thread ran).
final class ChatRecordingRun: RecordingRun {
    private let video: any RecordingRun
    private let chat: DanmakuRecorder
    private let onEnd: @Sendable () -> Void

    init(video: any RecordingRun, chat: DanmakuRecorder, onEnd: @escaping @Sendable () -> Void) {
        self.video = video
        self.chat = chat
        self.onEnd = onEnd
    }

    func start(onEnd ended: @escaping @Sendable (RecordingOutcome) -> Void) {
        chat.start()
        let chat = self.chat
        let finished = onEnd
        video.start { outcome in
            chat.stop()
            finished()
            ended(outcome)
        }
    }

    func stop() { video.stop() }

    var status: RecordingStatus { video.status }
}
