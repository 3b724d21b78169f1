import BiliupNet
import CLua

extension ScriptHost {
    /// Plugin responses larger than this are refused: an API answer is kilobytes, a page a few MB.
    static let maxResponseBytes = 16 << 20
    static let defaultRequestTimeout: Duration = .seconds(15)
    /// Redirect hops followed per request (each hop goes through the host remap).
    static let maxRedirects = 10

    /// `http.request(options)`: the coroutine yields while the network loop works and resumes with the
    /// response table, or with nil and a message (the Lua wrappers in the prelude turn that into an error).
    func installHTTP() {
        vm.register(module: "http", [
            ("request", { [unowned self] L in self.httpRequest(L) }),
            ("encode_query", { L in Self.encodeQuery(L) }),
            ("parse_query", { L in Self.parseQuery(L) }),
        ])
    }

    private func httpRequest(_ L: LuaState) -> Int32 {
        guard L.type(at: 1) == LUA_TTABLE else { return L.hostError("http.request: expected an options table") }
        guard let url = L.stringField(1, "url") else { return L.hostError("http.request: url must be a string") }
        guard URLParts(url) != nil else { return L.hostError("http.request: invalid URL '\(url)'") }
        var request = HTTPRequest(url: url, timeout: Self.defaultRequestTimeout, proxy: configuration.proxy,
                                  followRedirects: false, maxBodyBytes: Self.maxResponseBytes)
        if let method = L.stringField(1, "method") { request.method = method.uppercased() }
        if let proxy = L.stringField(1, "proxy") { request.proxy = proxy }
        if L.rawField(1, "timeout") == LUA_TNUMBER, let t = L.number(at: -1), t > 0 {
            request.timeout = .milliseconds(Int(t * 1000))
        }
        L.pop()
        var follow = true
        if L.rawField(1, "follow") == LUA_TBOOLEAN { follow = lua_toboolean(L, -1) != 0 }
        L.pop()

        var headers: [(String, String)] = []
        var cookies: [String] = []
        if L.rawField(1, "headers") == LUA_TTABLE {
            var bad: String?
            L.forEach(-1) {
                guard let k = L.string(at: -2) else { bad = "header names must be strings"; return }
                guard let v = L.string(at: -1) ?? L.integer(at: -1).map(String.init) else { bad = "header \(k): value must be a string"; return }
                if k.lowercased() == "cookie" { cookies.append(v) } else { headers.append((k, v)) }
            }
            if let bad { L.pop(); return L.hostError("http.request: \(bad)") }
        }
        L.pop()
        if L.rawField(1, "cookies") == LUA_TTABLE {
            var pairs: [String] = []
            L.forEach(-1) {
                if let k = L.string(at: -2), let v = L.string(at: -1) { pairs.append("\(k)=\(v)") }
            }
            cookies += pairs.sorted()
        }
        L.pop()
        // One Cookie header with the jar's cookies: curl merges `cookie` into the header it builds.
        if !cookies.isEmpty { request.cookie = cookies.joined(separator: "; ") }

        switch bodyOf(L, headers: &headers) {
        case .failure(let message): return L.hostError("http.request: \(message)")
        case .success(let body):
            request.body = body
            if body != nil && L.stringField(1, "method") == nil { request.method = "POST" }
        }
        request.headers = headers
        request.cookieJar = cookieJar(for: label)
        request.blockPrivateAddresses = configuration.addressPolicy.blocksPrivateAddresses
        // Refused here, before the call yields, so the plugin's error names the header it set.
        if let problem = RequestHeaderRules.problem(in: headers) ?? RequestHeaderRules.problem(method: request.method)
            ?? request.cookie.flatMap({ RequestHeaderRules.problem(name: "Cookie", value: $0) }) {
            return L.hostError("http.request: \(problem)")
        }

        guard let call = vm.suspendRunningCall(), call.thread == L else {
            return L.hostError("http.request: only a plugin's own call can wait for the network (not a nested coroutine or file load)")
        }
        let vm = self.vm
        let exchange = RedirectingRequest(request: request, follow: follow, remap: configuration.hostRemap)
        exchange.run { result in
            vm.loop.enqueue {
                vm.resumeSuspended(call) { thread in
                    switch result {
                    case .success(let response):
                        Self.push(response, on: thread)
                        return 1
                    case .failure(let message):
                        thread.pushNil()
                        thread.push(message.text)
                        return 2
                    }
                }
            }
        }
        return hostYield
    }

    /// The request body from `body` (string), `form` (table, URL-encoded) or `json` (any value).
    private func bodyOf(_ L: LuaState, headers: inout [(String, String)]) -> Result<[UInt8]?, HostMessage> {
        func setContentType(_ type: String) {
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) { headers.append(("Content-Type", type)) }
        }
        defer { L.pop() }
        if L.rawField(1, "body") != LUA_TNIL {
            guard let body = L.bytes(at: -1) else { return .failure("body must be a string (use form = {...} or json = ...)") }
            return .success(body)
        }
        L.pop()
        if L.rawField(1, "form") == LUA_TTABLE {
            setContentType("application/x-www-form-urlencoded")
            return .success(Array(Self.queryString(L, at: -1).utf8))
        }
        L.pop()
        if L.rawField(1, "json") != LUA_TNIL {
            setContentType("application/json")
            return encodeJSON(L, at: -1).map { Optional($0) }
        }
        return .success(nil)
    }

    private static func push(_ r: HTTPResponse, on L: LuaState) {
        L.newTable(hash: 6)
        L.setField(-1, "status", r.status)
        L.setField(-1, "url", r.effectiveURL)
        L.push(r.body)
        L.setField(-2, "body")
        L.newTable(hash: Int32(r.headers.count))
        for (k, v) in r.headers { L.setField(-1, k, v) }
        L.setField(-2, "headers")
        L.newTable()
        for line in r.setCookies {
            let pair = line.split(separator: ";", maxSplits: 1).first ?? ""
            guard let eq = pair.firstIndex(of: "=") else { continue }
            L.setField(-1, pair[..<eq].trimmingCharacters(in: .whitespaces), String(pair[pair.index(after: eq)...]))
        }
        L.setField(-2, "cookies")
    }

    /// `k=v&...` from a table, keys sorted so the same table always encodes the same way.
    static func queryString(_ L: LuaState, at index: Int32) -> String {
        var pairs: [(String, String)] = []
        L.forEach(index) {
            guard let k = L.string(at: -2) ?? L.integer(at: -2).map(String.init) else { return }
            let v: String
            switch lua_type(L, -1) {
            case LUA_TSTRING: v = L.string(at: -1) ?? ""
            case LUA_TNUMBER: v = lua_isinteger(L, -1) != 0 ? String(L.integer(at: -1) ?? 0) : String(L.number(at: -1) ?? 0)
            case LUA_TBOOLEAN: v = lua_toboolean(L, -1) != 0 ? "true" : "false"
            default: return
            }
            pairs.append((k, v))
        }
        pairs.sort { $0.0 < $1.0 }
        return pairs.map { "\(PercentEncoding.encode($0.0))=\(PercentEncoding.encode($0.1))" }.joined(separator: "&")
    }

    private static func encodeQuery(_ L: LuaState) -> Int32 {
        guard L.type(at: 1) == LUA_TTABLE else { return L.hostError("http.encode_query: expected a table") }
        L.push(queryString(L, at: 1))
        return 1
    }

    private static func parseQuery(_ L: LuaState) -> Int32 {
        guard var text = L.string(at: 1) else { return L.hostError("http.parse_query: expected a string") }
        if let q = text.firstIndex(of: "?") { text = String(text[text.index(after: q)...]) }
        if let hash = text.firstIndex(of: "#") { text = String(text[..<hash]) }
        L.newTable()
        for part in text.split(separator: "&") where !part.isEmpty {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = PercentEncoding.decode(String(kv[0]), plusAsSpace: true)
            let value = kv.count > 1 ? PercentEncoding.decode(String(kv[1]), plusAsSpace: true) : ""
            L.setField(-1, key, value)
        }
        return 1
    }
}

/// One plugin request and its redirects, every hop sent through the host remap. Redirects are followed
/// here rather than by libcurl, which would send them to the real hosts.
final class RedirectingRequest: @unchecked Sendable {
    private var request: HTTPRequest
    private let follow: Bool
    private let remap: HostRemap
    private var hops = 0

    init(request: HTTPRequest, follow: Bool, remap: HostRemap) {
        self.request = request
        self.follow = follow
        self.remap = remap
    }

    func run(_ done: @escaping @Sendable (Result<HTTPResponse, HostMessage>) -> Void) {
        let original = request.url
        let wire = { var w = request; w.url = remap.apply(original); return w }()
        let method = request.method
        HTTPClient.start(wire) { [self] result in
            switch result {
            case .failure(let error):
                let target = wire.url == original ? "" : " (remapped to \(wire.url))"
                done(.failure("\(method) \(original)\(target): \(error)"))
            case .success(var response):
                response.effectiveURL = original
                if follow, [301, 302, 303, 307, 308].contains(response.status), let location = response.headers["location"],
                   hops < ScriptHost.maxRedirects, let base = URLParts(original) {
                    hops += 1
                    let next = base.resolve(location)
                    guard HTTPRequest.hasAllowedScheme(next) else {
                        return done(.failure("\(method) \(original): redirect not followed: \(NetError.schemeNotAllowed(next))"))
                    }
                    request.url = next
                    if response.status == 303 || ((response.status == 301 || response.status == 302) && request.method == "POST") {
                        request.method = "GET"
                        request.body = nil
                    }
                    run(done)
                } else {
                    done(.success(response))
                }
            }
        }
    }
}
