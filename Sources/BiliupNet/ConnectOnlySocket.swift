import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// A byte stream opened by libcurl and then left to its owner (`CURLOPT_CONNECT_ONLY`): libcurl does the
/// parts that are hard to get right — name resolution, the proxy's CONNECT tunnel, TLS with certificate
/// checks, `block_private_addresses` on every resolved address — and the owner speaks its own protocol over
/// it with `read`/`write` (chat: WebSocket framing, Douyu's TCP protocol). This libcurl (7.88) has no
/// WebSocket support of its own.
///
/// Used from one thread; the blocking part is `init` (the connect), which `shouldAbort` can cut short.
/// Reads and writes never block: wait for the descriptor with poll(), but only after `read` said
/// `.wouldBlock`, since TLS may hold decrypted bytes that poll() cannot see.
public final class ConnectOnlySocket {
    public struct Options: Sendable {
        /// `http://host:port` for plain TCP, `https://host:port` for TLS; the path is ignored.
        public var url: String
        public var proxy: String?
        public var connectTimeout: Duration
        public var blockPrivateAddresses: Bool
        /// A PEM file of certificate authorities to trust instead of the system's (private relays, tests).
        public var certificateAuthorities: String?

        public init(url: String, proxy: String? = nil, connectTimeout: Duration = .seconds(10),
                    blockPrivateAddresses: Bool = false, certificateAuthorities: String? = nil) {
            self.url = url
            self.proxy = proxy
            self.connectTimeout = connectTimeout
            self.blockPrivateAddresses = blockPrivateAddresses
            self.certificateAuthorities = certificateAuthorities
        }
    }

    public enum ReadResult: Equatable {
        case bytes(Int)
        /// Nothing buffered: poll `descriptor` for input, then read again.
        case wouldBlock
        /// The peer ended the stream.
        case closed
    }

    private let easy: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let shouldAbort: () -> Bool
    private let addressGuard = PrivateAddressGuard()
    /// The connected socket, for poll(); owned by libcurl (closed by it when this object goes).
    public private(set) var descriptor: Int32 = -1

    /// Connects, blocking until the stream is open (TCP, proxy tunnel, TLS handshake) or failed.
    /// `shouldAbort` is asked while connecting (libcurl's progress callback, at least once a second);
    /// true ends the attempt with `.cancelled`.
    public init(_ options: Options, shouldAbort: @escaping () -> Bool = { false }) throws(NetError) {
        guard HTTPRequest.hasAllowedScheme(options.url) else { throw .schemeNotAllowed(options.url) }
        guard let e = curl_easy_init() else { throw .transfer("curl_easy_init failed") }
        easy = e
        self.shouldAbort = shouldAbort
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        guard shim_easy_setopt_str(e, CURLOPT_PROTOCOLS_STR, CurlTransfer.allowedProtocols) == CURLE_OK else {
            throw .transfer("this libcurl cannot be limited to http and https")
        }
        _ = shim_easy_setopt_str(e, CURLOPT_URL, options.url)
        _ = shim_easy_setopt_long(e, CURLOPT_CONNECT_ONLY, 1)
        // ALPN must not offer h2: the stream carries HTTP/1.1 (the WebSocket upgrade) or no HTTP at all.
        _ = shim_easy_setopt_long(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1)
        _ = shim_easy_setopt_long(e, CURLOPT_NOSIGNAL, 1)
        _ = shim_easy_setopt_long(e, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeout.milliseconds)
        _ = shim_easy_setopt_long(e, CURLOPT_TCP_KEEPALIVE, 1)
        _ = shim_easy_setopt_ptr(e, CURLOPT_ERRORBUFFER, errorBuffer)
        if let proxy = options.proxy {
            _ = shim_easy_setopt_str(e, CURLOPT_PROXY, proxy)
            // A plain http:// target through an HTTP proxy would otherwise connect to the proxy itself.
            _ = shim_easy_setopt_long(e, CURLOPT_HTTPPROXYTUNNEL, 1)
        }
        if let cas = options.certificateAuthorities { _ = shim_easy_setopt_str(e, CURLOPT_CAINFO, cas) }
        let me = Unmanaged.passUnretained(self).toOpaque()
        if options.blockPrivateAddresses { addressGuard.install(on: e) }
        _ = shim_easy_setopt_long(e, CURLOPT_NOPROGRESS, 0)
        _ = shim_easy_setopt_xferinfo_cb(e, connectOnlyProgressCallback)
        _ = shim_easy_setopt_ptr(e, CURLOPT_XFERINFODATA, me)

        let code = curl_easy_perform(e)
        if let error = failure(for: code) { throw error }
        var socket: curl_socket_t = shim_CURL_SOCKET_BAD()
        guard shim_easy_getinfo_socket(e, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK, socket != shim_CURL_SOCKET_BAD() else {
            throw .transfer("connected, but libcurl has no socket for the connection")
        }
        descriptor = socket
    }

    deinit {
        curl_easy_cleanup(easy)
        errorBuffer.deallocate()
    }

    /// Reads what is buffered or waiting in the socket, without blocking.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(NetError) -> ReadResult {
        var n = 0
        let code = curl_easy_recv(easy, buffer.baseAddress, buffer.count, &n)
        switch code {
        case CURLE_OK: return n == 0 ? .closed : .bytes(n)
        case CURLE_AGAIN: return .wouldBlock
        default: throw failure(for: code) ?? .transfer("receive failed")
        }
    }

    /// Sends what fits now, without blocking; 0 means poll the descriptor for output and try again.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(NetError) -> Int {
        guard !bytes.isEmpty else { return 0 }
        var n = 0
        let code = curl_easy_send(easy, bytes.baseAddress, bytes.count, &n)
        switch code {
        case CURLE_OK: return n
        case CURLE_AGAIN: return 0
        default: throw failure(for: code) ?? .transfer("send failed")
        }
    }

    fileprivate var aborting: Bool { shouldAbort() }

    private func failure(for code: CURLcode) -> NetError? {
        if code == CURLE_OK { return nil }
        if let refused = addressGuard.refused { return .privateAddress(refused) }
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        errorBuffer[0] = 0  // send/recv do not clear it; a later failure must not show an old message
        switch code {
        case CURLE_ABORTED_BY_CALLBACK: return .cancelled
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .connect(message)
        case CURLE_OPERATION_TIMEDOUT: return .timeout(message)
        case CURLE_URL_MALFORMAT: return .invalidURL(message)
        default: return .transfer(message)
        }
    }
}

private let connectOnlyProgressCallback: curl_xferinfo_callback = { clientp, _, _, _, _ in
    let s = Unmanaged<ConnectOnlySocket>.fromOpaque(clientp!).takeUnretainedValue()
    return s.aborting ? 1 : 0
}
