import Foundation

/// Which plugin file serves each name: every `*.lua` of each directory in order, a later directory
/// replacing a plugin of the same name. The name of a plugin is its file name without `.lua`.
struct PluginDirectoryScan {
    struct Entry: Equatable {
        var name: String
        var path: String
        var stamp: FileStamp
    }

    static func scan(_ directories: [String]) -> [String: Entry] {
        var entries: [String: Entry] = [:]
        for directory in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for file in names.sorted() where file.hasSuffix(".lua") && !file.hasPrefix(".") {
                let path = (directory as NSString).appendingPathComponent(file)
                guard let stamp = FileStamp(path: path) else { continue }
                let name = String(file.dropLast(4))
                entries[name] = Entry(name: name, path: path, stamp: stamp)
            }
        }
        return entries
    }
}

/// Enough of a file's metadata to notice an edit: editors that replace the file change the inode,
/// editors that rewrite it change the time or the size.
struct FileStamp: Equatable {
    var inode: UInt64
    var size: Int64
    var modified: Int64  // nanoseconds

    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }
}
