import Foundation

/// Names the calling thread as `top -H`, `perf` and /proc show it, through the kernel's own file for it
/// rather than Foundation's `Thread.name`: on Linux a new thread starts with its creator's name (a
/// dispatch worker's, when started from async code), and Foundation's getter was seen answering that
/// inherited name after its setter ran. (glibc's pthread_setname_np is not in Swift's Glibc module.)
/// Linux keeps 15 bytes of a name.
public enum ThreadName {
    private static let path = "/proc/thread-self/comm"

    public static func setCurrent(_ name: String) {
        try? Data(name.utf8.prefix(15)).write(to: URL(fileURLWithPath: path))
    }

    /// The calling thread's name as the kernel has it ("" where it cannot be read).
    public static var current: String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .newlines)
    }
}
