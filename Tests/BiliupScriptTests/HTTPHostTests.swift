import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

@Suite struct HTTPHostTests {
    @Test func requestsGoThroughTheRemapWithHeadersBodiesAndCookies() async throws {
        let fake = try FakePlatform()
        fake.route("api.example.com", "/login") { _, w in
            w.send(status: 200, headers: ["Set-Cookie": "sid=abc123; Path=/", "Content-Type": "application/json"], body: Data(#"{"ok":true}"#.utf8))
        }
        fake.route("api.example.com", "/room") { r, w in
            w.send(status: 200, headers: ["Content-Type": "application/json"],
                   body: Data(#"{"id":"\#(r.query["id"] ?? "")","cookie":"\#(r.headers["cookie"] ?? "")"}"#.utf8))
        }
        fake.route("api.example.com", "/form") { r, w in w.send(status: 201, body: r.body) }
        fake.route("short.example.com", "/r") { _, w in w.send(status: 302, headers: ["Location": "https://api.example.com/room?id=9"]) }
        let (host, _) = try makeHost(["h": plugin("h", """
            local login = http.get("https://api.example.com/login")
            assert(login.status == 200 and login.cookies.sid == "abc123" and login:json().ok == true)
            local room = http.get("https://api.example.com/room?id=7", { headers = { ["X-Test"] = "1" } }):json()
            assert(room.id == "7" and room.cookie == "sid=abc123", room.cookie)
            local posted = http.post("https://api.example.com/form", { b = "x y", a = 1 })
            assert(posted.status == 201 and posted.body == "a=1&b=x%20y", posted.body)
            local js = http.request({ url = "https://api.example.com/form", method = "PUT", json = { z = { 1 } } })
            assert(js.body == '{"z":[1]}')
            local redirected = http.get("https://short.example.com/r")
            assert(redirected.url == "https://api.example.com/room?id=9" and redirected:json().id == "9")
            local ok, err = pcall(http.get, "http://127.0.0.1:1/refused")
            assert(not ok and err:find("cannot connect"), err)
            return { live = false, title = "done" }
            """)], remap: fake.remap(["short.example.com"]))
        let r = try await host.check("test://h/1")
        #expect(r.title == "done")
        let room = fake.requests(to: "api.example.com", "/room").first
        #expect(room?.headers["x-test"] == "1")
        #expect(fake.requests(to: "api.example.com", "/form").first?.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(fake.requests(to: "short.example.com").count == 1)
    }

    @Test func pluginsHaveSeparateCookieJars() async throws {
        let fake = try FakePlatform()
        fake.route("a.example", "/set") { _, w in w.send(status: 200, headers: ["Set-Cookie": "k=v; Path=/"]) }
        fake.route("a.example", "/echo") { r, w in w.send(status: 200, body: Data((r.headers["cookie"] ?? "-").utf8)) }
        let body = """
            if opts.set then http.get("https://a.example/set") end
            return { live = false, title = http.get("https://a.example/echo").body }
            """
        let (host, _) = try makeHost(["one": plugin("one", body), "two": plugin("two", body)], remap: fake.remap())
        #expect(try await host.check("test://one/1", options: ["set": .bool(true)]).title == "k=v")
        #expect(try await host.check("test://one/1").title == "k=v")
        #expect(try await host.check("test://two/1").title == "-")
    }

    /// 1,000 checks in flight at once in one VM, each waiting on the network: no thread per check.
    @Test func thousandConcurrentChecks() async throws {
        let fake = try FakePlatform()
        fake.route("api.example.com", "/room") { r, w in
            w.send(status: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"live":true,"id":"\#(r.query["id"] ?? "")"}"#.utf8))
        }
        let (host, _) = try makeHost(["many": """
            return {
              name = "many", match = "^test://many/",
              check = function(url)
                local id = url:match("/(%d+)$")
                local info = http.get("https://api.example.com/room?id=" .. id):json()
                return { live = info.live, title = info.id, streams = { { url = "http://cdn/" .. id .. ".flv" } } }
              end,
            }
            """], remap: fake.remap())
        let results = await withTaskGroup(of: (Int, String?).self) { group in
            for i in 0..<1000 {
                group.addTask { (i, try? await host.check("test://many/\(i)").title) }
            }
            var out: [Int: String?] = [:]
            for await (i, t) in group { out[i] = t }
            return out
        }
        #expect(results.count == 1000)
        #expect(results.allSatisfy { $0.value == String($0.key) })
    }
}

@Suite struct BatchAndCookieTests {
    @Test func batchResultsMayCarryAnErrorPerRoom() async throws {
        let (host, _) = try makeHost(["multi": """
            return {
              name = "multi", match = "^test://multi/",
              check = function(url) return { live = false } end,
              batch_check = function(urls)
                local out = {}
                for _, u in ipairs(urls) do
                  if u:find("bad") then out[u] = { error = "room is banned" }
                  else out[u] = { live = false, title = u:match("%w+$") } end
                end
                return out
              end,
            }
            """])
        let results = await host.batchCheck(["test://multi/a", "test://multi/bad", "test://multi/c"])
        #expect(try results["test://multi/a"]?.get().title == "a")
        #expect(try results["test://multi/c"]?.get().title == "c")
        guard case .failure(let e)? = results["test://multi/bad"] else { Issue.record("no error"); return }
        #expect(e.source == "multi" && e.message == "room is banned")
    }

    @Test func pluginCookiesAndJarCookiesShareOneHeader() async throws {
        let fake = try FakePlatform()
        fake.route("a.example", "/set") { _, w in w.send(status: 200, headers: ["Set-Cookie": "jar=1; Path=/"]) }
        fake.route("a.example", "/echo") { r, w in w.send(status: 200, body: Data((r.headers["cookie"] ?? "-").utf8)) }
        let (host, _) = try makeHost(["c": plugin("c", """
            http.get("https://a.example/set")
            local r = http.get("https://a.example/echo", { headers = { Cookie = "user=2" }, cookies = { extra = "3" } })
            return { live = false, title = r.body }
            """)], remap: fake.remap())
        let cookie = try await host.check("test://c/1").title ?? ""
        let parts = Set(cookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(parts == ["user=2", "extra=3", "jar=1"], "\(cookie)")
    }
}
