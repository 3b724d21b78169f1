import Foundation

/// One HTTP request as every part of biliup describes it; the curl loop turns it into an easy handle.
public struct HTTPRequest: Sendable {
    public var url: String
    public var method: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// Whole-request limit for buffered requests; streams use `connectTimeout` and their read timeout instead.
    public var timeout: Duration
    public var connectTimeout: Duration
    public var proxy: String?
    public var followRedirects: Bool
    /// Buffered requests refuse bodies larger than this, so a wrong URL cannot fill memory.
    public var maxBodyBytes: Int
    /// Cookies set by responses are kept here and sent with later requests that share the jar.
    public var cookieJar: CookieJar?
    /// `name=value; ...` sent in the same Cookie header as the jar's cookies (a second Cookie header
    /// would be ignored by many servers).
    public var cookie: String?
    /// Refuse to connect to loopback, link-local and private addresses (`PrivateAddress`), checked after
    /// DNS resolution: for installs where the URLs come from other people (`block_private_addresses`).
    public var blockPrivateAddresses = false

    /// The only URL schemes fetched (see `CurlTransfer.allowedProtocols`).
    public static let allowedSchemes: Set<String> = ["http", "https"]

    /// Whether `url` starts with `http://` or `https://` (any case).
    public static func hasAllowedScheme(_ url: String) -> Bool {
        guard let colon = url.firstIndex(of: ":") else { return false }
        return allowedSchemes.contains(url[..<colon].lowercased()) && url[colon...].hasPrefix("://")
    }

    public static let defaultMaxBodyBytes = 64 << 20
    public static let defaultUserAgent =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"

    public init(url: String, method: String = "GET", headers: [(String, String)] = [], body: [UInt8]? = nil,
                timeout: Duration = .seconds(20), connectTimeout: Duration = .seconds(10), proxy: String? = nil,
                followRedirects: Bool = true, maxBodyBytes: Int = HTTPRequest.defaultMaxBodyBytes,
                cookieJar: CookieJar? = nil) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.proxy = proxy
        self.followRedirects = followRedirects
        self.maxBodyBytes = maxBodyBytes
        self.cookieJar = cookieJar
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased; for repeated headers the last value wins.
    public var headers: [String: String]
    public var body: [UInt8]
    public var effectiveURL: String
    /// Every `Set-Cookie` line of the last response, which `headers` cannot hold (one value per name).
    public var setCookies: [String] = []

    public var text: String { String(decoding: body, as: UTF8.self) }
}

public enum NetError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case connect(String)
    case httpStatus(Int, url: String)
    case transfer(String)
    case timeout(String)
    case stalled(seconds: Double)
    case tooLarge(limit: Int)
    /// A URL (or a redirect's target) whose scheme is not http or https.
    case schemeNotAllowed(String)
    /// A header or method that may not be sent (see `RequestHeaderRules`); the message names it.
    case invalidRequest(String)
    /// `blockPrivateAddresses` refused to connect to this address.
    case privateAddress(String)
    case cancelled

    public var description: String {
        switch self {
        case .invalidURL(let u): return "invalid URL: \(u)"
        case .connect(let m): return "cannot connect: \(m)"
        case .httpStatus(let s, let u): return "HTTP \(s) from \(u)"
        case .transfer(let m): return "transfer failed: \(m)"
        case .timeout(let m): return "timed out: \(m)"
        case .stalled(let s): return "no data for \(String(format: "%.0f", s)) s"
        case .tooLarge(let l): return "response larger than \(l) bytes"
        case .schemeNotAllowed(let u): return "refused \(u): only http and https URLs are fetched"
        case .invalidRequest(let m): return "invalid request: \(m)"
        case .privateAddress(let a):
            return "refused to connect to \(a): a loopback, link-local or private address (block_private_addresses is on)"
        case .cancelled: return "cancelled"
        }
    }
}

extension Duration {
    var milliseconds: Int {
        let (s, atto) = components
        return Int(s) * 1000 + Int(atto / 1_000_000_000_000_000)
    }
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
