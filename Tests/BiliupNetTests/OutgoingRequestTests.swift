import BiliupNet
import BiliupTestSupport
import Foundation
import Synchronization
import Testing

/// What a request may go out as (security issue 13, point 3): http and https only, also after a redirect;
/// headers from options that cannot inject lines or replace Host and the body's framing; and, with
/// `blockPrivateAddresses`, no connection to this machine or its network.
@Suite struct OutgoingRequestTests {
    /// A redirect to another scheme is not followed: the service behind it sees nothing.
    @Test func redirectsToOtherSchemesAreNotFollowed() async throws {
        let trap = try ConnectionTrap()
        defer { trap.stop() }
        let fifo = try Fifo()
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let targets = [
            "gopher": "gopher://127.0.0.1:\(trap.port)/_SET%20owned%201%0D%0A",
            "dict": "dict://127.0.0.1:\(trap.port)/info",
            "ftp": "ftp://127.0.0.1:\(trap.port)/x.ts",
            "file": "file://\(fifo.path)",
        ]
        for (name, target) in targets {
            server.route("/\(name)") { _, w in w.send(status: 302, headers: ["Location": target]) }
        }
        for (name, target) in targets {
            let r = await HTTPClient.fetch(HTTPRequest(url: "\(server.baseURL)/\(name)"))
            #expect(r.failureValue == .schemeNotAllowed(target), "\(name): \(r)")
            #expect(r.failureValue?.description.contains("only http and https") == true)
        }
        // Still answering: the network thread was not left blocked in a FIFO's open().
        server.route("/ok") { _, w in w.send(status: 200, body: Data("ok".utf8)) }
        #expect(try await HTTPClient.fetch(HTTPRequest(url: "\(server.baseURL)/ok")).get().text == "ok")
        #expect(trap.connections == 0 && trap.bytes.isEmpty, "the trap got \(trap.connections) connection(s): \(String(decoding: trap.bytes, as: UTF8.self))")
        #expect(!fifo.hasReader, "the FIFO was opened")
    }

    @Test func urlsOfOtherSchemesAreRefusedBeforeAnyConnection() async throws {
        let trap = try ConnectionTrap()
        defer { trap.stop() }
        for url in ["gopher://127.0.0.1:\(trap.port)/_x", "dict://127.0.0.1:\(trap.port)/info", "ftp://127.0.0.1:\(trap.port)/",
                    "FILE:///etc/passwd", "telnet://127.0.0.1:\(trap.port)"] {
            let r = await HTTPClient.fetch(HTTPRequest(url: url))
            #expect(r.failureValue == .schemeNotAllowed(url))
            #expect(throws: NetError.schemeNotAllowed(url)) { _ = try HTTPClient.openStream(HTTPRequest(url: url)) }
        }
        #expect(trap.connections == 0)
    }

    /// A CR/LF in an option's header would add a header (or a second request) of the sender's choosing;
    /// refused before anything is sent, with the header named.
    @Test func headerInjectionIsRefusedBeforeSending() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let requests = server.countRequests(answering: 200)
        let long = String(repeating: "a", count: RequestHeaderRules.maxValueBytes + 1)
        let cases: [([(String, String)], String)] = [
            ([("X-Token", "a\r\nHost: internal.example")], "header \"X-Token\": value contains a line break (CR/LF)"),
            ([("X-Token", "a\nX-Admin: 1")], "header \"X-Token\": value contains a line break (CR/LF)"),
            ([("X-Token", "a\0b")], "header \"X-Token\": value contains a NUL byte"),
            ([("X-A\r\nX-B", "1")], "header name \"X-A\\u{d}\\u{a}X-B\" may only contain letters, digits and !#$%&'*+-.^_`|~"),
            ([("Bad Name", "1")], "header name \"Bad Name\" may only contain letters, digits and !#$%&'*+-.^_`|~"),
            ([("", "1")], "a header has an empty name"),
            ([("Host", "internal.example")], "header \"Host\" is set from the URL and body and cannot be given"),
            ([("content-length", "0")], "header \"content-length\" is set from the URL and body and cannot be given"),
            ([("Transfer-Encoding", "chunked")], "header \"Transfer-Encoding\" is set from the URL and body and cannot be given"),
            ([("X-Long", long)], "header \"X-Long\": value of 8193 bytes is longer than 8192"),
            ((0...RequestHeaderRules.maxCount).map { ("X-\($0)", "1") }, "65 headers, at most 64 are allowed"),
        ]
        for (headers, message) in cases {
            let r = await HTTPClient.fetch(HTTPRequest(url: "\(server.baseURL)/x", headers: headers))
            #expect(r.failureValue == .invalidRequest(message))
            #expect(throws: NetError.invalidRequest(message)) {
                _ = try HTTPClient.openStream(HTTPRequest(url: "\(server.baseURL)/x", headers: headers))
            }
        }
        let method = await HTTPClient.fetch(HTTPRequest(url: "\(server.baseURL)/x", method: "GET / HTTP/1.1\r\nX: y"))
        #expect(method.failureValue?.description.contains("is not a method name") == true)
        var cookie = HTTPRequest(url: "\(server.baseURL)/x")
        cookie.cookie = "a=1\r\nHost: evil"
        #expect(await HTTPClient.fetch(cookie).failureValue == .invalidRequest("header \"Cookie\": value contains a line break (CR/LF)"))
        #expect(requests.count == 0)

        // Ordinary headers, tabs and UTF-8 included, still go out.
        server.route("/seen") { req, w in w.send(status: 200, body: Data((req.headers["x-seen"] ?? "").utf8)) }
        let ok = try await HTTPClient.fetch(HTTPRequest(url: "\(server.baseURL)/seen", headers: [("X-Seen", "a\tb")])).get()
        #expect(ok.text == "a\tb")
    }

    /// With the setting on, loopback is refused after resolution (a name that resolves to it as well),
    /// and the server behind it sees no connection; with it off, the same request works.
    @Test func privateAddressesAreRefusedWhenAsked() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let requests = Atomic<Int>(0)
        server.route("/x") { _, w in
            requests.add(1, ordering: .relaxed)
            w.send(status: 200, body: Data("reached".utf8))
        }
        for host in ["127.0.0.1", "localhost"] {
            var request = HTTPRequest(url: "http://\(host):\(server.port)/x")
            request.blockPrivateAddresses = true
            let r = await HTTPClient.fetch(request)
            guard case .privateAddress(let address)? = r.failureValue else { Issue.record("\(host): \(r)"); continue }
            #expect(address == "127.0.0.1" || address == "::1")
            #expect(r.failureValue?.description.contains("block_private_addresses is on") == true)

            let stream = try HTTPClient.openStream(request)
            let head = await onThread { stream.waitForResponse(timeout: .seconds(30)) }
            guard case .failure(.privateAddress) = head else { Issue.record("stream to \(host): \(head)"); continue }
        }
        #expect(requests.load(ordering: .relaxed) == 0)
        let open = try await HTTPClient.fetch(HTTPRequest(url: "http://127.0.0.1:\(server.port)/x")).get()
        #expect(open.text == "reached")
    }

    /// A redirect from a public-looking start to loopback is caught at the connection, not by the URL.
    @Test func redirectToAPrivateAddressIsRefused() async throws {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let reached = Atomic<Int>(0)
        server.route("/inside") { _, w in
            reached.add(1, ordering: .relaxed)
            w.send(status: 200)
        }
        server.route("/hop") { _, w in w.send(status: 302, headers: ["Location": "http://localhost:\(server.port)/inside"]) }
        // The first hop is loopback too here (tests have nothing else); the point is the second is checked.
        var request = HTTPRequest(url: "http://127.0.0.1:\(server.port)/hop")
        request.blockPrivateAddresses = true
        guard case .privateAddress? = await HTTPClient.fetch(request).failureValue else { Issue.record("not refused"); return }
        #expect(reached.load(ordering: .relaxed) == 0)
    }

    @Test func privateRanges() {
        func v4(_ s: String) -> UInt32 {
            s.split(separator: ".").reduce(0) { $0 << 8 | UInt32($1)! }
        }
        for a in ["127.0.0.1", "127.255.255.254", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                  "100.64.0.1", "100.127.255.255", "0.0.0.0", "224.0.0.1", "239.255.255.250", "255.255.255.255"] {
            #expect(PrivateAddress.isPrivate(ipv4: v4(a)), "\(a)")
        }
        for a in ["8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0", "192.169.0.1",
                  "169.253.0.1", "223.255.255.255"] {
            #expect(!PrivateAddress.isPrivate(ipv4: v4(a)), "\(a)")
        }
        func v6(_ s: String) -> [UInt8] {
            var addr = in6_addr()
            precondition(inet_pton(AF_INET6, s, &addr) == 1)
            return withUnsafeBytes(of: &addr) { Array($0) }
        }
        for a in ["::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "fec0::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"] {
            #expect(PrivateAddress.isPrivate(ipv6: v6(a)), "\(a)")
        }
        for a in ["2001:4860:4860::8888", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"] {
            #expect(!PrivateAddress.isPrivate(ipv6: v6(a)), "\(a)")
        }
    }
}
