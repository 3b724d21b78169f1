import Foundation

/// A snapshot of one recording for status lines, the API and tests.
public struct RecordingStatus: Sendable {
    public enum State: String, Sendable {
        case connecting, recording, reconnecting, finished, failed
    }
    public var state: State = .connecting
    public var startedAt = Date()
    public var receivedBytes: Int64 = 0
    /// Bytes of finished files plus the open one.
    public var writtenBytes: Int64 = 0
    public var mediaSeconds: Double = 0
    public var currentFile: String?
    public var files: [String] = []
    public var reconnects = 0
    public var lastError: String?
    public var inputKind: InputKind?
}

/// How a recording ended.
public enum RecordingOutcome: Sendable {
    /// The stream ended, the duration was reached, or the user stopped it: every file is complete.
    case completed(reason: String)
    case failed(MediaError)
}

/// What a recording reports as it goes, for logs and (later) the event bus.
public enum RecordingEvent: Sendable {
    case segmentOpened(path: String)
    case segmentClosed(path: String, report: SegmentReport)
    case reconnecting(reason: String)
}
