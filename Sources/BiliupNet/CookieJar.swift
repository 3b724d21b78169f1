import CCurl

/// Cookies shared by the requests that carry the same jar (a libcurl share handle). Every transfer runs
/// on the one network thread, so the share needs no lock callbacks.
public final class CookieJar: @unchecked Sendable {
    let share: UnsafeMutableRawPointer

    public init() {
        _ = CurlLoop.shared  // curl_global_init before the first share handle
        share = curl_share_init()!  // fails only without memory
        _ = shim_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_COOKIE.rawValue))
    }

    deinit {
        curl_share_cleanup(share)
    }
}
