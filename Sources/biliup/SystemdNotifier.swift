import Foundation

/// systemd's readiness protocol (`Type=notify`, sd_notify(3)): datagrams such as "READY=1" sent to the
/// unix socket named by $NOTIFY_SOCKET, a path or, starting with '@', an abstract socket. Without
/// $NOTIFY_SOCKET (not started by systemd) nothing is sent.
struct SystemdNotifier: Sendable {
    struct SendError: Error, CustomStringConvertible {
        let socket: String
        let reason: String
        var description: String { "cannot notify systemd at NOTIFY_SOCKET=\(socket): \(reason)" }
    }

    let socketName: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketName = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Sends `state` ("READY=1", "STOPPING=1", "STATUS=…", newline-separated). No socket: nothing to do.
    func notify(_ state: String) throws(SendError) {
        guard let name = socketName else { return }
        guard name.hasPrefix("/") || name.hasPrefix("@") else { throw SendError(socket: name, reason: "not a path or an abstract socket name") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(name.utf8)
        // An abstract socket's name starts with a NUL byte and is exactly as long as the length says.
        if path[0] == UInt8(ascii: "@") { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { throw SendError(socket: name, reason: "longer than \(capacity - 1) bytes") }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count)

        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SendError(socket: name, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), target, length) }
            }
        }
        guard sent == message.count else { throw SendError(socket: name, reason: String(cString: strerror(errno))) }
    }
}
