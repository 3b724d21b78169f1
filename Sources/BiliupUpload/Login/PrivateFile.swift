import Foundation

/// Files that hold secrets (an exported cookies.json, a login QR code): mode 0600 from the moment they
/// exist, and replaced atomically, so no reader ever sees a half-written file or a wider mode.
public enum PrivateFile {
    /// Writes `bytes` to a fresh 0600 file beside `path` (created exclusively, never following a link)
    /// and renames it over `path`.
    public static func write(_ bytes: some Sequence<UInt8>, to path: String) throws(UploadError) {
        let bytes = Array(bytes)
        let context = "writing \(path)"
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(UUID().uuidString.prefix(8)).tmp"
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw UploadError(.file, context, String(cString: strerror(errno))) }
        var written = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += n
            }
        }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw UploadError(.file, context, String(cString: strerror(failure)))
        }
    }
}
