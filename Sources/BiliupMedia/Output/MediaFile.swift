import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output file written front to back from a block-aligned buffer, optionally with O_DIRECT.
/// Copying a recording into the page cache was the largest single cost of recording (50–68 % of the CPU
/// at 50–200 streams, BENCHMARKS.md); direct writes skip that copy. They are off unless
/// `BILIUP_DIRECT_IO=1`: a SIGKILL that lands while a direct write is in the kernel lets that write
/// finish but not the tail write after it, so the file ends inside its last frame (a CI run caught an
/// FLV killed that way), and a killed recorder must leave a file that decodes cleanly.
///
/// Appended bytes gather in a block-aligned buffer. `flush()` hands everything appended so far to the
/// kernel, so a killed process leaves all of it in the file: the whole blocks go out with O_DIRECT, the
/// unaligned tail (under one block) through a second, ordinary descriptor of the same file, at its
/// offset; the tail stays in the buffer and is rewritten by the next direct write of its block. Bytes
/// already written can be patched (`write(_:_:at:)`, for headers filled in at the end). Where the file
/// system refuses O_DIRECT (tmpfs, some network file systems) every write goes through the ordinary
/// descriptor instead.
///
/// Without O_DIRECT the file is written behind: each 8 MiB window is handed to writeback as soon as it is
/// complete, and the window before it, by then on disk, is dropped from the page cache. A recorder's
/// output is read again at the earliest when a segment is uploaded, long after; keeping it cached evicts
/// what the machine does reuse, and a fresh page-cache page is expensive on a VM (the host faults it in):
/// writing into pages just freed took 0.39–0.46 s of system time per GB here, into fresh ones
/// 0.79–1.06 s (BENCHMARKS.md). It also bounds the dirty data a power loss can take. Kill safety is
/// unchanged: every write is still an ordinary buffered write. `BILIUP_PAGE_CACHE=keep` turns it off.
final class MediaFile {
    /// Direct I/O needs offsets, lengths and memory aligned to the device's logical block: 4 KiB is a
    /// multiple of every logical block size in use (512 and 4096).
    static let blockBytes = 4096
    /// Room for more than the 0.5 s of media a writer gathers between flushes at 6–16 Mbit/s, so writes
    /// are flush-sized; only the pages in use count towards memory (about 0.4 MB at 6 Mbit/s).
    static let bufferBytes = 1 << 20
    /// `BILIUP_DIRECT_IO=1` trades the kill-safety of the last frame for less CPU (see above).
    static let directIO = getenv("BILIUP_DIRECT_IO").map { String(cString: $0) == "1" } ?? false
    /// Write-behind window (see above): large enough that waiting for the previous window never waits
    /// for the disk at recording bitrates (8 MiB is 11 s at 6 Mbit/s), small enough to bound the cache.
    static let writeBehindBytes: Int64 = 8 << 20
    static let writesBehind = getenv("BILIUP_PAGE_CACHE").map { String(cString: $0) != "keep" } ?? true

    let path: String
    /// Ordinary descriptor: the unaligned tail, patches, and everything when O_DIRECT is refused.
    private let fd: Int32
    /// O_DIRECT descriptor of the same file, or -1.
    private var directFD: Int32 = -1
    private let buffer: UnsafeMutableRawPointer
    /// File offset of buffer[0]; a multiple of `blockBytes` while writing directly.
    private var base: Int64 = 0
    /// Bytes in the buffer.
    private var count = 0
    /// Whether the buffer holds bytes (appended or patched) the kernel has not seen.
    private var dirty = false
    private var closed = false
    /// End of the last write-behind window handed to writeback.
    private var writebackEnd: Int64 = 0

    /// Bytes appended so far: the file's size once flushed.
    var size: Int64 { base + Int64(count) }
    /// Bytes that can be appended before the buffer fills and is written out on its own, wherever that
    /// cuts the data (a writer that wants whole units in the file flushes before one that does not fit).
    var freeBufferBytes: Int { MediaFile.bufferBytes - count }

    /// Writes into `file`, which this process created (it never writes over a file that was there).
    init(file: CreatedFile, direct: Bool = MediaFile.directIO) {
        path = file.path
        fd = file.takeDescriptor()
        let flag = shim_O_DIRECT()
        if flag != 0 && direct { directFD = MediaFile.openDirect(path, sameFileAs: fd) }
        buffer = UnsafeMutableRawPointer.allocate(byteCount: MediaFile.bufferBytes, alignment: MediaFile.blockBytes)
    }

    /// Creates the file at `path`, which must not exist.
    convenience init(path: String, direct: Bool = MediaFile.directIO) throws(MediaError) {
        self.init(file: try CreatedFile.create(path), direct: direct)
    }

    /// A second, O_DIRECT descriptor of the file `fd` has open, or -1 (O_DIRECT refused). Opened by path,
    /// so it must be that very file: not a link (O_NOFOLLOW), not a FIFO put there meanwhile (O_NONBLOCK
    /// makes that fail instead of waiting for a reader), and the same inode.
    private static func openDirect(_ path: String, sameFileAs fd: Int32) -> Int32 {
        let direct = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | shim_O_DIRECT())
        guard direct >= 0 else { return -1 }
        var a = stat(), b = stat()
        guard fstat(fd, &a) == 0, fstat(direct, &b) == 0, a.st_dev == b.st_dev, a.st_ino == b.st_ino else {
            _ = posixClose(direct)
            return -1
        }
        return direct
    }

    deinit {
        if !closed { try? close() }
        buffer.deallocate()
    }

    /// Appends `n` bytes. They reach the kernel at the next `flush()`, or earlier when the buffer fills.
    func append(_ bytes: UnsafeRawPointer, _ n: Int) throws(MediaError) {
        var done = 0
        while done < n {
            let k = min(n - done, MediaFile.bufferBytes - count)
            (buffer + count).copyMemory(from: bytes + done, byteCount: k)
            count += k
            done += k
            dirty = true
            if count == MediaFile.bufferBytes { try writeBuffer() }
        }
    }

    /// Overwrites bytes already appended (`offset + n` ≤ `size`), or appends when `offset` is `size`.
    func write(_ bytes: UnsafeRawPointer, _ n: Int, at offset: Int64) throws(MediaError) {
        guard offset >= 0, offset <= size else { throw .io("write \(path): offset \(offset) past the end (\(size))") }
        let patched = Int(min(Int64(n), size - offset))
        let written = Int(max(0, min(base - offset, Int64(patched))))
        if written > 0 { try writeAll(fd, bytes, written, at: offset) }
        if patched > written {
            (buffer + Int(offset + Int64(written) - base)).copyMemory(from: bytes + written, byteCount: patched - written)
            dirty = true
        }
        if n > patched { try append(bytes + patched, n - patched) }
    }

    /// Hands every byte appended or patched so far to the kernel: a killed process leaves them in the file.
    func flush() throws(MediaError) {
        guard dirty else { return }
        dirty = false
        if directFD >= 0 {
            let whole = count & ~(MediaFile.blockBytes - 1)
            if whole > 0 {
                try writeDirect(whole)
                buffer.copyMemory(from: buffer + whole, byteCount: count - whole)
                base += Int64(whole)
                count -= whole
            }
        }
        // The tail, or everything without O_DIRECT. A direct write of the same block replaces it later.
        if count > 0 { try writeAll(fd, buffer, count, at: base) }
        if directFD < 0 {
            base += Int64(count)
            count = 0
            writeBehind()
        }
    }

    /// Flushes and closes the file; it then has exactly `size` bytes.
    func close() throws(MediaError) {
        guard !closed else { return }
        closed = true
        defer {
            _ = posixClose(fd)
            if directFD >= 0 { _ = posixClose(directFD) }
        }
        try flush()
    }

    /// Writes the full buffer and empties it.
    private func writeBuffer() throws(MediaError) {
        if directFD >= 0 { try writeDirect(count) } else { try writeAll(fd, buffer, count, at: base) }
        base += Int64(count)
        count = 0
        dirty = false
        if directFD < 0 { writeBehind() }
    }

    /// Starts writeback of each window the kernel now holds whole, and drops the window before it.
    private func writeBehind() {
        guard MediaFile.writesBehind else { return }
        let window = MediaFile.writeBehindBytes
        while base - writebackEnd >= window {
            shim_start_writeback(fd, writebackEnd, window)
            if writebackEnd >= window { shim_drop_written(fd, writebackEnd - window, window) }
            writebackEnd += window
        }
    }

    /// The first `n` bytes of the buffer (whole blocks) with O_DIRECT, or through the page cache if the
    /// file system takes O_DIRECT at open but not at write (EINVAL); then all later writes go that way.
    private func writeDirect(_ n: Int) throws(MediaError) {
        let failure = pwriteAll(directFD, buffer, n, at: base)
        guard failure == EINVAL else { return try check(failure) }
        _ = posixClose(directFD)
        directFD = -1
        try writeAll(fd, buffer, n, at: base)
    }

    private func writeAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ n: Int, at offset: Int64) throws(MediaError) {
        try check(pwriteAll(fd, bytes, n, at: offset))
    }

    private func check(_ failure: Int32) throws(MediaError) {
        guard failure == 0 else { throw .io("write \(path): \(String(cString: strerror(failure)))") }
    }

    /// 0, or the errno of the write that failed.
    private func pwriteAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ n: Int, at offset: Int64) -> Int32 {
        var done = 0
        while done < n {
            let k = pwrite(fd, bytes + done, n - done, off_t(offset + Int64(done)))
            if k < 0 {
                if errno == EINTR { continue }
                return errno
            }
            done += k
        }
        return 0
    }
}
