#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The addresses `block_private_addresses` refuses: everything that is not a public unicast address of the
/// internet, i.e. where a URL from someone else could reach this machine or its local network (loopback,
/// link-local, RFC 1918, ULA, CGNAT, unspecified, multicast, reserved). Checked on the address libcurl is
/// about to connect to, after DNS resolution, so a host name that resolves to 127.0.0.1 is caught too.
public enum PrivateAddress {
    /// IPv4 ranges as (network, prefix length).
    static let ipv4Ranges: [(UInt32, Int)] = [
        (0x0000_0000, 8),   // 0.0.0.0/8 "this network" (0.0.0.0 reaches the local host)
        (0x0A00_0000, 8),   // 10.0.0.0/8 private
        (0x6440_0000, 10),  // 100.64.0.0/10 carrier-grade NAT
        (0x7F00_0000, 8),   // 127.0.0.0/8 loopback
        (0xA9FE_0000, 16),  // 169.254.0.0/16 link-local (cloud metadata services live here)
        (0xAC10_0000, 12),  // 172.16.0.0/12 private
        (0xC0A8_0000, 16),  // 192.168.0.0/16 private
        (0xE000_0000, 4),   // 224.0.0.0/4 multicast
        (0xF000_0000, 4),   // 240.0.0.0/4 reserved, and the broadcast address
    ]

    /// `address` as a 32-bit number in host order.
    public static func isPrivate(ipv4 address: UInt32) -> Bool {
        ipv4Ranges.contains { network, prefix in address >> (32 - prefix) == network >> (32 - prefix) }
    }

    /// `bytes` are the 16 bytes of an IPv6 address in network order.
    public static func isPrivate(ipv6 bytes: [UInt8]) -> Bool {
        precondition(bytes.count == 16)
        if bytes[0..<10].allSatisfy({ $0 == 0 }) {
            let tail = UInt32(bytes[12]) << 24 | UInt32(bytes[13]) << 16 | UInt32(bytes[14]) << 8 | UInt32(bytes[15])
            // ::ffff:a.b.c.d (IPv4-mapped) reaches the IPv4 address; :: and ::1 are unspecified and loopback.
            if bytes[10] == 0xFF && bytes[11] == 0xFF { return isPrivate(ipv4: tail) }
            if bytes[10] == 0 && bytes[11] == 0 && tail <= 1 { return true }
        }
        if bytes[0] & 0xFE == 0xFC { return true }                     // fc00::/7 unique local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true } // fe80::/10 link-local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0xC0 { return true } // fec0::/10 site-local (deprecated)
        if bytes[0] == 0xFF { return true }                            // ff00::/8 multicast
        return false
    }

    /// Whether a socket address libcurl wants to connect to is private; the address as text for messages.
    public static func check(_ address: UnsafePointer<sockaddr>) -> (isPrivate: Bool, text: String) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                var addr = sin.pointee.sin_addr
                return (isPrivate(ipv4: UInt32(bigEndian: addr.s_addr)), text(AF_INET, &addr))
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                var addr = sin6.pointee.sin6_addr
                let bytes = withUnsafeBytes(of: &addr) { Array($0) }
                return (isPrivate(ipv6: bytes), text(AF_INET6, &addr))
            }
        default:
            // Unix sockets and the like: never a public internet address.
            return (true, "address family \(address.pointee.sa_family)")
        }
    }

    private static func text(_ family: Int32, _ addr: UnsafeRawPointer) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, addr, &buffer, socklen_t(buffer.count)) != nil else { return "an unprintable address" }
        return String(cString: buffer)
    }
}
