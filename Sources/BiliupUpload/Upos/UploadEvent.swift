/// What an upload reports while it runs, for progress bars, `--json` lines, the engine's events.
public enum UploadEvent: Sendable {
    /// The line the file goes through; `probeMillis` is its probe's time when `auto` measured it.
    case lineChosen(String, probeMillis: Int?)
    /// Sending begins: `total` bytes, of which `resumed` were accepted by an earlier run.
    case started(total: Int64, resumed: Int64)
    /// Bytes UPOS has accepted so far (resumed bytes included).
    case progress(sent: Int64, total: Int64)
    /// Bilibili says uploads come too fast: the next try is in `retryIn`; `attempt` counts from 1.
    case rateLimited(retryIn: Duration, attempt: Int)
    /// An earlier run's session continues: `parts` chunks need not be sent again.
    case resumed(parts: Int)
    /// The recorded UPOS session is no longer accepted: a new one starts and its chunks are sent anew.
    case sessionExpired
    /// A chunk (0-based) failed and is sent again after a pause.
    case retrying(chunk: Int, UploadError)
    /// UPOS has the whole file; `seconds` is how long this run took.
    case finished(Studio.Video, seconds: Double)
}
