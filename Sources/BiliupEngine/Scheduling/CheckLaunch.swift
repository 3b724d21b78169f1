/// One call the scheduler starts: a single room, or rooms of a batch platform that share their options.
struct CheckLaunch: Sendable {
    var platform: String
    var batch: Bool
    var rooms: [WatchedRoom]
}
