/// Everything one recording needs to know.
public struct RecordingOptions: Sendable {
    public var endpoint: StreamEndpoint
    /// Where the files go: a template without extension below a root folder (see `OutputTemplate`).
    public var output: OutputTemplate
    /// Values for the template's `{placeholders}`.
    public var templateValues: [String: String]
    /// nil: the input's natural container (flv for FLV and RTMP, ts for HLS-ts, mp4 for HLS-fMP4).
    public var format: OutputFormat?
    public var split: SplitPolicy
    /// Stop after this much media has been recorded.
    public var maxDuration: Duration?
    /// No byte received, or no frame written, for this long: the input is stalled and reopened.
    public var stallTimeout: Duration
    public var connectTimeout: Duration
    public var reconnect: ReconnectPolicy
    /// Asked before every reconnect for where the stream is now (a platform's URLs expire and move):
    /// nil means the broadcast is over. Without it, reconnects reuse `endpoint`. Runs on the recording thread.
    public var refreshEndpoint: (@Sendable () throws(MediaError) -> StreamEndpoint?)?
    /// Told as files open and close (the danmaku writer), on the recording thread.
    public var segmentObserver: (any SegmentObserver)?

    public init(endpoint: StreamEndpoint, output: OutputTemplate, templateValues: [String: String] = [:],
                format: OutputFormat? = nil, split: SplitPolicy = .init(), maxDuration: Duration? = nil,
                stallTimeout: Duration = .seconds(20), connectTimeout: Duration = .seconds(10),
                reconnect: ReconnectPolicy = .init(),
                refreshEndpoint: (@Sendable () throws(MediaError) -> StreamEndpoint?)? = nil) {
        self.endpoint = endpoint
        self.output = output
        self.templateValues = templateValues
        self.format = format
        self.split = split
        self.maxDuration = maxDuration
        self.stallTimeout = stallTimeout
        self.connectTimeout = connectTimeout
        self.reconnect = reconnect
        self.refreshEndpoint = refreshEndpoint
    }
}

/// Reconnecting after a drop: exponential backoff, and a bound on attempts that bring nothing.
public struct ReconnectPolicy: Sendable {
    public var initialDelay: Duration = .milliseconds(500)
    public var maxDelay: Duration = .seconds(10)
    /// Consecutive attempts without a single new frame before the stream counts as ended.
    public var maxAttempts = 6
    public init() {}

    func delay(forAttempt n: Int) -> Duration {
        let scaled = initialDelay.seconds * Double(1 << min(max(n - 1, 0), 16))
        return .milliseconds(Int64(min(scaled, maxDelay.seconds) * 1000))
    }
}
