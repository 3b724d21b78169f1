#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// read(2), write(2) and close(2) under names that types with `read`/`write` methods of their own do not shadow.
@inline(__always) func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

@inline(__always) func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}

@inline(__always) func posixClose(_ fd: Int32) -> Int32 { close(fd) }

/// The current errno as words, for error messages that name a file.
func errnoText() -> String { String(cString: strerror(errno)) }
