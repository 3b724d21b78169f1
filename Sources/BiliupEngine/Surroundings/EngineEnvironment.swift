import BiliupDanmaku
import BiliupUpload

/// What the engine reads from the world besides its configuration, store and plugins: the time, the
/// recorder, the free disk space, the uploader and the accounts. The defaults are production's; tests replace them
/// to drive the engine's session logic in process.
struct EngineEnvironment: Sendable {
    var clock: any EngineClock = SystemClock()
    var launchRecording: RecordingLauncher = RoomRecording.mediaRecording
    /// Free bytes for the recordings at a path; nil when it cannot be read (then nothing is refused).
    var freeDiskBytes: @Sendable (String) -> Int64? = DiskGuard.statFreeBytes
    /// Uploads the segments of streamers whose template names an account; nil: nothing is uploaded.
    var uploader: (any ArchiveUploading)?
    /// Bilibili accounts: QR login, cookie import, checks and renewal; nil: no account commands.
    var accounts: AccountBook?
    /// How chat connections reach the network (`danmaku = true`): production's has the plugins' host
    /// remap and proxy, so chat servers are pointed elsewhere like every other platform host.
    var chatNetwork = ChatNetworkSettings()
    /// Webhook retries, timeouts and queue bound (tests shorten the waits).
    var webhookDelivery = WebhookDeliverySettings()
}
