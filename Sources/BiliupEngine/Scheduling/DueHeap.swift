/// Rooms by the time their next check is due: a binary min-heap, so 10,000 rooms cost O(log n) per
/// check instead of a scan. Entries are never removed early; an entry whose `ticket` no longer matches
/// its room's (the room was checked sooner, suspended or removed) is skipped when it comes up.
struct DueHeap {
    struct Entry {
        var due: ContinuousClock.Instant
        var key: RoomKey
        var ticket: Int
    }

    private var items: [Entry] = []

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var next: Entry? { items.first }

    mutating func insert(_ entry: Entry) {
        items.append(entry)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].due < items[parent].due else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func popFirst() -> Entry? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let first = items.removeLast()
        var i = 0
        while true {
            let left = 2 * i + 1, right = left + 1
            var smallest = i
            if left < items.count && items[left].due < items[smallest].due { smallest = left }
            if right < items.count && items[right].due < items[smallest].due { smallest = right }
            if smallest == i { break }
            items.swapAt(i, smallest)
            i = smallest
        }
        return first
    }
}
