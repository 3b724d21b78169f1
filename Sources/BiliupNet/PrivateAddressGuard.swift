import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// `block_private_addresses` for one libcurl handle: installed as its open-socket callback, it checks
/// every address libcurl resolved right before the connect, so a host name resolving to a private address
/// is refused as well as a literal one (and a redirect's new host goes through it too).
final class PrivateAddressGuard {
    /// The address refused, if one was.
    fileprivate(set) var refused: String?

    /// Installs the check on `easy`; the guard must outlive the handle's transfers.
    func install(on easy: UnsafeMutableRawPointer) {
        _ = shim_easy_setopt_opensocket_cb(easy, privateAddressOpenSocketCallback)
        _ = shim_easy_setopt_ptr(easy, CURLOPT_OPENSOCKETDATA, Unmanaged.passUnretained(self).toOpaque())
    }
}

private let privateAddressOpenSocketCallback: curl_opensocket_callback = { clientp, _, address in
    let guard_ = Unmanaged<PrivateAddressGuard>.fromOpaque(clientp!).takeUnretainedValue()
    let a = address!.pointee
    let verdict = withUnsafePointer(to: a.addr) { PrivateAddress.check($0) }
    if verdict.isPrivate {
        guard_.refused = verdict.text
        return shim_CURL_SOCKET_BAD()
    }
    return socket(a.family, a.socktype, a.protocol)
}
