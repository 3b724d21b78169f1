#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file this process has just created for writing, with `O_CREAT | O_EXCL | O_NOFOLLOW`: it did not
/// exist before, so nothing that was there is truncated or appended to, and it is not a symbolic link
/// leading elsewhere. The descriptor is closed with this object unless a writer takes it.
final class CreatedFile {
    let path: String
    private var descriptor: Int32

    /// Flags of every file a recording creates; the mode is what `open` would give a new file anyway.
    static let flags = O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC
    static let mode: mode_t = 0o644

    /// A descriptor opened elsewhere (an `openat` in a recording's folder, or a test's device file).
    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Creates `path`, which must not exist (not even as a dangling link).
    static func create(_ path: String) throws(MediaError) -> CreatedFile {
        let fd = open(path, flags, mode)
        guard fd >= 0 else { throw .io("cannot create \(path): \(errnoText())") }
        return CreatedFile(descriptor: fd, path: path)
    }

    /// Hands the descriptor to its new owner, which closes it.
    func takeDescriptor() -> Int32 {
        let fd = descriptor
        descriptor = -1
        return fd
    }

    deinit {
        if descriptor >= 0 { _ = posixClose(descriptor) }
    }
}
