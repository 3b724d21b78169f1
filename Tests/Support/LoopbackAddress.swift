import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP socket bound to 127.0.0.1 at `port`, or with 0 at a port the kernel chose.
func boundLoopbackSocket(port: Int = 0) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestSupportError.socket("socket", errno: errno) }
    var reuse: Int32 = 1  // a fixed port can be bound again right after the previous process exited
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    var address = loopbackAddress(port: port)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else {
        let code = errno
        close(fd)
        throw TestSupportError.socket("bind 127.0.0.1:\(port)", errno: code)
    }
    return fd
}

/// A socket bound to 127.0.0.1 at `port` (0: a free one) and listening.
func listeningLoopbackSocket(port: Int = 0, backlog: Int32) throws -> Int32 {
    let fd = try boundLoopbackSocket(port: port)
    guard listen(fd, backlog) == 0 else {
        let code = errno
        close(fd)
        throw TestSupportError.socket("listen", errno: code)
    }
    return fd
}

/// A TCP socket connected to 127.0.0.1 at `port`, or nil if the connection was refused or failed.
func connectedLoopbackSocket(port: Int) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    var address = loopbackAddress(port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { close(fd); return nil }
    return fd
}

private func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = in_addr_t(INADDR_LOOPBACK).bigEndian
    return address
}

/// The port a bound socket got.
func boundPort(_ fd: Int32) -> Int {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
