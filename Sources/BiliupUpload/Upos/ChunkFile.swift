#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The file being uploaded, open for positioned reads: chunks are read with pread straight into the
/// buffer they are sent from, by several tasks at once, without a shared file offset.
final class ChunkFile: Sendable {
    let path: String
    let size: Int64
    /// Modification time, unix seconds: with path and size, what identifies the file for resuming.
    let mtime: Double
    private let descriptor: Int32

    init(path: String) throws(UploadError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.error(path, "cannot open") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = Self.error(path, "cannot read its size")
            close(fd)
            throw error
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw UploadError(.invalidInput, path, "not a regular file")
        }
        self.path = path
        descriptor = fd
        size = Int64(info.st_size)
        mtime = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    }

    deinit { close(descriptor) }

    /// Fills `buffer[0..<count]` with the bytes at `offset`.
    func read(into buffer: UnsafeMutableRawBufferPointer, offset: Int64, count: Int) throws(UploadError) {
        var done = 0
        while done < count {
            let n = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw n == 0 ? UploadError(.file, path, "the file became shorter while it was uploaded")
                    : Self.error(path, "cannot read")
            }
            done += n
        }
    }

    private static func error(_ path: String, _ what: String) -> UploadError {
        UploadError(.file, path, "\(what): \(String(cString: strerror(errno)))")
    }
}

/// The memory one in-flight chunk is read into and sent from, allocated once per upload and reused
/// for every chunk its worker sends.
final class ChunkBuffer: @unchecked Sendable {
    // Unchecked: one worker owns a buffer at a time; the uploader hands each worker its own.
    let bytes: UnsafeMutableRawBufferPointer

    init(capacity: Int) {
        bytes = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { bytes.deallocate() }
}
