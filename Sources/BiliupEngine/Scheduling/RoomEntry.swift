/// What the scheduler knows about one watched room.
struct RoomEntry {
    enum Phase {
        /// Waiting for its platform to be looked up (a hop to the plugin thread).
        case resolving
        /// In the due heap.
        case waiting
        /// Due, in its platform's queue, waiting for a token.
        case queued
        /// Its check is running; it is not scheduled again until the check ends.
        case checking
        /// Its streamer is recording.
        case suspended
    }

    var room: WatchedRoom
    var phase: Phase = .resolving
    var platform = ""
    var batch = false
    /// Renewed whenever the room enters the heap, so an older heap or queue entry for it is recognised as stale.
    var ticket = 0
    var lastFinished: ContinuousClock.Instant?
    /// `checkSoon` while the check was running: the next check follows at once.
    var checkAgainSoon = false
    /// Removed while its check was running: kept until the check ends, so that re-adding it cannot start
    /// a second check of the same room; then dropped without a result.
    var removed = false
}
