import CFFmpeg
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A folder that recordings are written into, held open: files are created, checked and renamed relative
/// to the descriptor, so a folder swapped for a link after it was opened changes nothing. Folders below
/// the recordings root are created and opened without following symbolic links: a link planted inside
/// the root cannot lead a recording out of it. The root itself is the operator's choice and may be a link.
final class OutputDirectory {
    /// The folder's path as the root and the names below it spell it, for file paths and messages.
    let path: String
    private let fd: Int32
    /// Mode of the folders a recording creates (before the umask), as `mkdir -p` would.
    static let folderMode: mode_t = 0o755

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { _ = posixClose(fd) }

    /// `root` (created if missing), then each of `folders` below it, created where missing and refused
    /// where it is a symbolic link or not a folder.
    static func below(root: String, folders: [String]) throws(MediaError) -> OutputDirectory {
        var dir = try operatorsFolder(root, what: "the recordings folder")
        for name in folders {
            let path = dir.path == "/" ? "/" + name : dir.path + "/" + name
            if mkdirat(dir.fd, name, folderMode) != 0 && errno != EEXIST {
                throw .io("cannot create \(path): \(errnoText())")
            }
            let next = openat(dir.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else {
                let why = errnoText()
                if dir.isLink(name) {
                    throw .io("\(path) is a symbolic link: recordings are written only into real folders below \(root)")
                }
                throw .io("cannot open the folder \(path): \(why)")
            }
            dir = OutputDirectory(fd: next, path: path)
        }
        return dir
    }

    /// A folder the operator names (the recordings root, the destination of main.lua's remux): created if
    /// missing, and opened even through a link, since it is theirs to choose.
    static func operatorsFolder(_ path: String, what: String) throws(MediaError) -> OutputDirectory {
        var path = path.isEmpty ? "." : path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }  // "/mnt/rec/" names files "/mnt/rec/x"
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw .io("cannot create \(what) \(path): \(error.localizedDescription)")
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("cannot open \(what) \(path): \(errnoText())") }
        return OutputDirectory(fd: fd, path: path)
    }

    /// Whether anything (a file, a folder, a link, even a dangling one) has this name here.
    func contains(_ name: String) -> Bool {
        var st = stat()
        return fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT
    }

    /// Creates the file `name`, or nil when the name is taken (by anything, a link included).
    func create(_ name: String) throws(MediaError) -> CreatedFile? {
        let file = openat(fd, name, CreatedFile.flags, CreatedFile.mode)
        if file >= 0 { return CreatedFile(descriptor: file, path: pathOf(name)) }
        if errno == EEXIST { return nil }
        throw .io("cannot create \(pathOf(name)): \(errnoText())")
    }

    /// Writes a new file `name` whole; one that exists already is left alone (an error).
    func writeNew(_ name: String, _ data: [UInt8]) throws(MediaError) {
        guard let file = try create(name) else { throw .io("\(pathOf(name)) exists; it is left as it is") }
        let fd = file.takeDescriptor()
        defer { _ = posixClose(fd) }
        var done = 0
        while done < data.count {
            let n = data[done...].withUnsafeBytes { posixWrite(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("write \(pathOf(name)): \(errnoText())")
            }
            done += n
        }
    }

    /// Renames `from` to `to` unless `to` exists: an existing file is never replaced.
    func renameNoReplace(_ from: String, to: String) throws(MediaError) {
        var failure = shim_rename_noreplace(fd, from, to)
        if failure == EINVAL || failure == ENOSYS {
            // The file system or kernel has no RENAME_NOREPLACE: a hard link also refuses an existing target.
            failure = linkat(fd, from, fd, to, 0) == 0 ? 0 : errno
            if failure == 0 { _ = unlinkat(fd, from, 0) }
        }
        guard failure != 0 else { return }
        if failure == EEXIST {
            throw .io("cannot rename \(pathOf(from)): \(pathOf(to)) appeared meanwhile and is left as it is; the recording stays in \(pathOf(from))")
        }
        throw .io("cannot rename \(pathOf(from)): \(String(cString: strerror(failure)))")
    }

    /// Removes `name` (a file this recording created and does not keep).
    func remove(_ name: String) {
        _ = unlinkat(fd, name, 0)
    }

    func pathOf(_ name: String) -> String { path == "/" ? "/" + name : path + "/" + name }

    private func isLink(_ name: String) -> Bool {
        var st = stat()
        return fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }
}
