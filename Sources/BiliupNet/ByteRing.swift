/// A fixed-capacity FIFO of bytes. Not thread-safe: its owner holds the lock.
struct ByteRing: ~Copyable {
    private let storage: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    var free: Int { capacity - count }

    /// Copies `n` bytes in; the caller checked `free`.
    mutating func write(_ src: UnsafeRawPointer, _ n: Int) {
        precondition(n <= free)
        let tail = (head + count) % capacity
        let first = min(n, capacity - tail)
        (storage + tail).copyMemory(from: src, byteCount: first)
        if first < n { storage.copyMemory(from: src + first, byteCount: n - first) }
        count += n
    }

    /// Copies up to `n` bytes out and returns how many.
    mutating func read(into dst: UnsafeMutableRawPointer, _ n: Int) -> Int {
        let take = min(n, count)
        let first = min(take, capacity - head)
        dst.copyMemory(from: storage + head, byteCount: first)
        if first < take { (dst + first).copyMemory(from: storage, byteCount: take - first) }
        head = (head + take) % capacity
        count -= take
        return take
    }
}
