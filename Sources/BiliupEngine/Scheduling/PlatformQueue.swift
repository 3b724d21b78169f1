/// One platform's due rooms, longest-waiting first, and its request budget.
struct PlatformQueue {
    /// Entries already taken are dropped from the front in chunks, not one by one (an array's removeFirst is O(n)).
    private static let compactionThreshold = 1024

    var bucket: TokenBucket
    private var entries: [(key: RoomKey, ticket: Int)] = []
    private var head = 0

    init(bucket: TokenBucket) {
        self.bucket = bucket
    }

    /// Rooms arrive in due order (they leave the heap in that order), so appending keeps the queue fair.
    mutating func append(_ key: RoomKey, ticket: Int) {
        entries.append((key, ticket))
    }

    /// Drops stale entries at the front; true when a room that still waits is left.
    mutating func hasWaiting(_ isWaiting: (RoomKey, Int) -> Bool) -> Bool {
        while head < entries.count && !isWaiting(entries[head].key, entries[head].ticket) { head += 1 }
        if head >= Self.compactionThreshold && head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return head < entries.count
    }

    /// Up to `limit` rooms from the front, in order, that `accept` takes. Their entries become stale
    /// when the caller moves the rooms out of the queued phase, so nothing is removed here.
    func front(limit: Int, where accept: (RoomKey, Int) -> Bool) -> [RoomKey] {
        var out: [RoomKey] = []
        var i = head
        while i < entries.count && out.count < limit {
            if accept(entries[i].key, entries[i].ticket) { out.append(entries[i].key) }
            i += 1
        }
        return out
    }
}
