import BiliupNet
import Foundation

/// `block_private_addresses` for RTMP, which libavformat connects itself (our curl loop checks every
/// socket it opens; libavformat has no such hook): the host is resolved here and refused if any of its
/// addresses is private. libavformat resolves the name again, so a DNS answer that changes in between
/// could still slip through; HTTP(S) streams have no such gap.
enum PublicHostCheck {
    static func require(_ url: String) throws(MediaError) {
        guard let host = URLComponents(string: url)?.host, !host.isEmpty else { throw .network(.invalidURL(url)) }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), nil, &hints, &list)
        guard rc == 0, let list else {
            throw .network(.connect("cannot resolve \(host): \(String(cString: gai_strerror(rc)))"))
        }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let e = entry {
            if let address = e.pointee.ai_addr {
                let verdict = PrivateAddress.check(address)
                if verdict.isPrivate { throw .network(.privateAddress(verdict.text)) }
            }
            entry = e.pointee.ai_next
        }
    }
}
