import BiliupNet
#if canImport(Glibc)
import Glibc
#endif

/// The check the API makes when a webhook is saved with `block_private_addresses` on: a URL naming
/// localhost or a private, loopback or link-local address literally is refused at once, with a reason.
/// Names that resolve to such an address are refused when a delivery connects (libcurl's guard).
enum WebhookAddress {
    static func privateHost(of url: String) -> String? {
        guard let host = URLParts(url)?.host.lowercased() else { return nil }
        if host == "localhost" || host.hasSuffix(".localhost") { return host }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return PrivateAddress.isPrivate(ipv4: UInt32(bigEndian: v4.s_addr)) ? host : nil
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return PrivateAddress.isPrivate(ipv6: bytes) ? host : nil
        }
        return nil
    }
}
