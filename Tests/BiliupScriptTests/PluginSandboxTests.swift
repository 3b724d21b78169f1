import BiliupMedia
import BiliupScript
import BiliupTestSupport
import Foundation
import Testing

/// A plugin runs no native code and no bytecode (security issue 13, point 9): with the full library a
/// plugin could load libc through `package.loadlib` or a C searcher, or run bytecode (which Lua does not
/// check) made by `string.dump`. main.lua, the operator's own program, keeps all of it.
@Suite struct PluginSandboxTests {
    /// A shared Lua library on this machine (the one biliup builds against): its `luaopen_io` is the full
    /// `io` library a plugin must not get.
    static func liblua() throws -> String {
        let fm = FileManager.default
        let dirs = ["/usr/lib", "/usr/local/lib"] + ((try? fm.contentsOfDirectory(atPath: "/usr/lib")) ?? []).map { "/usr/lib/\($0)" }
        let found = dirs.map { "\($0)/liblua5.4.so.0" }.first { fm.fileExists(atPath: $0) }
        return try #require(found, "no liblua5.4.so.0 found")
    }

    /// A valid binary chunk returning 42, made by main.lua (which may) and written to `path`.
    static func bytecode() async throws -> [UInt8] {
        let dir = try PluginPaths.temporary()
        let out = "\(dir)/chunk.bin"
        try """
            local chunk = string.dump(function() return 42 end)
            assert(load(chunk)() == 42, "main.lua cannot run bytecode")
            local f = assert(io.open("\(out)", "wb"))
            f:write(chunk)
            f:close()
            """.write(toFile: "\(dir)/main.lua", atomically: true, encoding: .utf8)
        let main = MainScript(path: "\(dir)/main.lua", configuration: ScriptConfiguration(pluginDirectories: []),
                              parseDuration: { Units.duration($0)?.seconds }, parseSize: { Units.size($0) },
                              checkOutput: { OutputTemplate.problem(in: $0)?.description }, formats: OutputFormat.allCases.map(\.rawValue))
        if case .failure(let e) = await main.load() { Issue.record("main.lua: \(e.message)") }
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))
    }

    @Test func nativeLoadingAndBytecodeFailInsideAPlugin() async throws {
        let chunk = try await Self.bytecode()
        #expect(chunk.first == 0x1B)
        let hex = chunk.map { String(format: "%02x", $0) }.joined()
        let (host, dir) = try makeHost(["probe": plugin("probe", """
            local r = {}
            local function try(name, f, ...)
              local ok, err = pcall(f, ...)
              r[name] = ok and "ran" or tostring(err)
            end
            r.loadlib = tostring(package.loadlib)
            r.dump = tostring(string.dump)
            r.searchers = #package.searchers
            r.cpath = package.cpath
            try("call_loadlib", function() return package.loadlib(opts.liblua, "luaopen_io") end)
            -- The C searcher would find luaopen_io in liblua itself and hand back the full io library.
            package.cpath = opts.liblua
            try("require_c", function() return require("io").open("/etc/hostname") end)
            try("call_dump", function() return string.dump(function() end) end)
            local bin = opts.chunk:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end)
            for _, mode in ipairs({ "none", "b", "bt" }) do
              try("load_" .. mode, function()
                local f, err = load(bin, "chunk", mode ~= "none" and mode or nil)
                if not f then error(err, 0) end
                return f()
              end)
            end
            local given = false
            try("load_reader", function()
              local f, err = load(function() if given then return nil end given = true return bin end)
              if not f then error(err, 0) end
              return f()
            end)
            -- Text chunks still load, whatever mode is asked, with and without an environment.
            r.text = load("return 1 + 1")()
            r.text_b = load("return y", "c", "b", { y = 5 })()
            try("text_nil_env", function() return load("return x", "c", "t", nil)() end)
            r.helper = require("sandbox_helper").double(21)
            return { live = false, title = json.encode(r) }
            """)])
        try FileManager.default.createDirectory(atPath: "\(dir)/lib", withIntermediateDirectories: true)
        try "return { double = function(n) return n * 2 end }\n".write(toFile: "\(dir)/lib/sandbox_helper.lua", atomically: true, encoding: .utf8)

        let title = try #require(try await host.check("test://probe/1", options: ["liblua": .string(try Self.liblua()), "chunk": .string(hex)]).title)
        let r = try #require(try JSONSerialization.jsonObject(with: Data(title.utf8)) as? [String: Any])
        #expect(r["loadlib"] as? String == "nil")
        #expect(r["dump"] as? String == "nil")
        #expect(r["searchers"] as? Int == 2)
        #expect((r["call_loadlib"] as? String)?.contains("attempt to call a nil value (field 'loadlib')") == true, "\(r["call_loadlib"] ?? "")")
        #expect((r["require_c"] as? String)?.contains("module 'io' not found") == true, "\(r["require_c"] ?? "")")
        #expect((r["call_dump"] as? String)?.contains("attempt to call a nil value (field 'dump')") == true, "\(r["call_dump"] ?? "")")
        for key in ["load_none", "load_b", "load_bt", "load_reader"] {
            #expect((r[key] as? String)?.contains("attempt to load a binary chunk (mode is 't')") == true, "\(key): \(r[key] ?? "")")
        }
        #expect(r["text"] as? Int == 2)
        #expect(r["text_b"] as? Int == 5)
        #expect((r["text_nil_env"] as? String)?.contains("_ENV") == true, "\(r["text_nil_env"] ?? "")")
        #expect(r["helper"] as? Int == 42)
    }

    /// A plugin file must be Lua text: a precompiled one is bytecode too.
    @Test func aPrecompiledPluginFileDoesNotLoad() async throws {
        let chunk = try await Self.bytecode()
        let (host, dir) = try makeHost([:])
        try Data(chunk).write(to: URL(fileURLWithPath: "\(dir)/compiled.lua"))
        let failure = try #require(await host.catalog().failures.first)
        #expect(failure.file == "\(dir)/compiled.lua")
        #expect(failure.message.contains("attempt to load a binary chunk"), "\(failure.message)")
    }
}
