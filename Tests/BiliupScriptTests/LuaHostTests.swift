import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

@Suite struct LuaHostTests {
    @Test func checkReturnsAValidatedResult() async throws {
        let (host, _) = try makeHost(["demo": plugin("demo", """
            return { live = true, title = "t", streamer = "s", cover = "http://c/x.jpg",
                     streams = { { url = "http://cdn.example/live/1.flv", quality = "origin", cdn = "ali",
                                   headers = { Referer = "http://demo" } },
                                 { url = "http://cdn.example/live/1.m3u8?x=1" } },
                     danmaku = { protocol = "demo", room = 12, opts = opts } }
            """)])
        let r = try await host.check("test://demo/1", options: ["quality": .string("hd")])
        #expect(r.plugin == "demo" && r.live && r.title == "t" && r.streamer == "s")
        #expect(r.streams.count == 2)
        #expect(r.streams[0] == StreamCandidate(format: "flv", url: "http://cdn.example/live/1.flv", quality: "origin", cdn: "ali",
                                                 headers: ["Referer": "http://demo"]))
        #expect(r.streams[1].format == "hls")
        #expect(r.danmaku?["room"] == .int(12))
        #expect(r.danmaku?["opts"] == .object(["quality": .string("hd")]))
    }

    @Test func contractViolationsNameTheField() async throws {
        let (host, _) = try makeHost([
            "nolive": plugin("nolive", "return { title = 'x' }"),
            "nourl": plugin("nourl", "return { live = true, streams = { { format = 'flv' } } }"),
            "badformat": plugin("badformat", "return { live = true, streams = { { url = 'http://x/y', format = 'dash' } } }"),
            "nostreams": plugin("nostreams", "return { live = true }"),
        ])
        await #expect(throws: ScriptError(kind: .result, source: "nolive", message: "check returned live: expected boolean, got nil")) {
            try await host.check("test://nolive/1")
        }
        await #expect(throws: ScriptError(kind: .result, source: "nourl", message: "check returned streams[1].url: expected an absolute URL string, got nil")) {
            try await host.check("test://nourl/1")
        }
        await #expect(throws: ScriptError(kind: .result, source: "badformat", message: "check returned streams[1].format: expected flv, hls or rtmp, got \"dash\"")) {
            try await host.check("test://badformat/1")
        }
        await #expect(throws: ScriptError(kind: .result, source: "nostreams", message: "check returned live = true without streams")) {
            try await host.check("test://nostreams/1")
        }
        await #expect(throws: ScriptError.self) { try await host.check("test://unknown/1") }
    }

    @Test func jsonRoundTripsAndReportsWhereItBroke() async throws {
        let (host, _) = try makeHost(["j": plugin("j", #"""
            local v = json.decode('{"a":[1,2.5,"x\\u00e9\\ud83d\\ude00",null,true],"b":{"c":null},"big":9007199254740993}')
            assert(v.a[1] == 1 and math.type(v.a[1]) == "integer" and v.a[2] == 2.5)
            assert(v.a[3] == "xé😀" and v.a[4] == json.null and v.a[5] == true)
            assert(v.b.c == nil and v.big == 9007199254740993)
            local embedded = 'var x = {"t":"a};b","n":[1]};var y = 2;'
            local value, after = json.decode_at(embedded, 9)
            assert(value.t == "a};b" and value.n[1] == 1 and embedded:sub(after, after + 4) == ";var ", after)
            local ok, err = pcall(json.decode, '{"a":1,}')
            assert(not ok)
            -- Another server's answer is described, never quoted, in the error.
            local ok2, banner = pcall(json.decode, '<html>SECRET-BANNER redis_version:7</html>')
            assert(not ok2 and not banner:find("SECRET", 1, true) and banner:find("HTML page, 42 bytes", 1, true), banner)
            return { live = false, title = json.encode({ b = 2, a = { 1, "q\"" }, e = json.empty_array, o = {} }) .. "|" .. err }
            """#)])
        let r = try await host.check("test://j/1")
        let parts = r.title!.split(separator: "|", maxSplits: 1)
        #expect(parts[0] == #"{"a":[1,"q\""],"b":2,"e":[],"o":{}}"#)
        #expect(parts[1].contains("json.decode: expected a member name at byte 8"))
    }

    @Test func validateNamesTheMissingPath() async throws {
        let (host, _) = try makeHost(["v": plugin("v", """
            local data = { data = { room = { { id = 5 } } } }
            assert(validate.need(data, "data.room.1.id", "number") == 5)
            assert(validate.dig(data, "data.nothing.deeper") == nil)
            validate.need(data, "data.rtmp_url", "string")
            """)])
        await #expect(throws: ScriptError.self) { try await host.check("test://v/1") }
        do {
            _ = try await host.check("test://v/1")
        } catch {
            #expect(error.kind == .runtime)
            #expect(error.message.hasSuffix("v.lua:8: data.rtmp_url: expected string, got nil"))
        }
    }

    @Test func cryptoAndCacheAndTime() async throws {
        let (host, _) = try makeHost(["c": plugin("c", """
            assert(crypto.md5("abc") == "900150983cd24fb0d6963f7d28e17f72")
            assert(crypto.sha256("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            assert(crypto.hmac("sha256", "key", "The quick brown fox jumps over the lazy dog") ==
                   "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
            assert(crypto.base64_decode(crypto.base64_encode("hello\\0")) == "hello\\0")
            assert(crypto.urlencode("a b/é") == "a%20b%2F%C3%A9" and crypto.urldecode("a%20b") == "a b")
            assert(crypto.unhex(crypto.hex("\\1\\255")) == "\\1\\255")
            local t = crypto.tars_decode(crypto.tars_encode({ [1] = 3, [5] = "liveui", [7] = crypto.tars.bytes("\\0\\1") }))
            assert(t[1] == 3 and t[5] == "liveui" and t[7] == "\\0\\1")
            assert(cache.get("k") == nil)
            cache.set("k", { n = 1 }, 60)
            assert(cache.get("k").n == 1)
            assert(time.unix() == 1700000000 and os.time() == 1700000000 and time.ms() == 1700000000500)
            return { live = false }
            """)], clock: { 1_700_000_000.5 })
        let r = try await host.check("test://c/1")
        #expect(r.live == false)
    }

    @Test func fixedSeedRepeatsRandomValues() async throws {
        let (host, _) = try makeHost(["r": plugin("r", "return { live = false, title = tostring(math.random(1, 1000000)) }")], seed: 7)
        let a = try await host.check("test://r/1").title
        let b = try await host.check("test://r/1").title
        #expect(a == b && a != nil)
    }

    @Test func logIsTaggedWithThePlugin() async throws {
        let log = LogCapture()
        let (host, _) = try makeHost(["l": plugin("l", "log.warn('room', 5, 'gone'); return { live = false }")], log: log)
        _ = try await host.check("test://l/1")
        #expect(log.all.contains(ScriptLogRecord(level: .warn, source: "l", message: "room 5 gone")))
    }
}
