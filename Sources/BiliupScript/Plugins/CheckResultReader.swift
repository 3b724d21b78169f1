import BiliupNet
import CLua

/// Reads a plugin's returned table into a `CheckResult`, naming the exact field that breaks the
/// contract ("streams[2].url: expected string, got nil"): the message a plugin author fixes it by.
struct CheckResultReader {
    let L: LuaState
    let plugin: String
    let remap: HostRemap

    static let formats: Set<String> = ["flv", "hls", "rtmp"]

    func read(at index: Int32, url: String) -> Result<CheckResult, ScriptError> {
        do {
            return .success(try result(at: L.absolute(index), url: url))
        } catch {
            return .failure(error)
        }
    }

    private func fail(_ message: String) -> ScriptError {
        ScriptError(kind: .result, source: plugin, message: "check returned \(message)")
    }

    private func got(_ index: Int32) -> String {
        let t = L.type(at: index)
        if t == LUA_TSTRING { return "string \"\(L.string(at: index)!.prefix(40))\"" }
        return L.typeName(at: index)
    }

    private func optionalString(_ table: Int32, _ key: String, path: String) throws(ScriptError) -> String? {
        let t = L.rawField(table, key)
        defer { L.pop() }
        switch t {
        case LUA_TNIL: return nil
        case LUA_TSTRING: return L.string(at: -1)
        case LUA_TNUMBER: return L.value(at: -1).description
        default: throw fail("\(path)\(key): expected string, got \(got(-1))")
        }
    }

    private func result(at t: Int32, url: String) throws(ScriptError) -> CheckResult {
        guard L.type(at: t) == LUA_TTABLE else { throw fail("\(got(t)), expected a table like { live = true, streams = {...} }") }
        L.rawField(t, "live")
        let liveType = L.type(at: -1)
        let live = lua_toboolean(L, -1) != 0
        L.pop()
        guard liveType == LUA_TBOOLEAN else {
            L.rawField(t, "live")
            defer { L.pop() }
            throw fail("live: expected boolean, got \(got(-1))")
        }
        var result = CheckResult(plugin: plugin, url: url, live: live,
                                 title: try optionalString(t, "title", path: ""),
                                 streamer: try optionalString(t, "streamer", path: ""),
                                 cover: try optionalString(t, "cover", path: ""), streams: [])
        if L.rawField(t, "streams") == LUA_TTABLE {
            let n = Int(lua_rawlen(L, -1))
            for i in 0..<n {
                lua_rawgeti(L, -1, lua_Integer(i + 1))
                defer { L.pop() }
                result.streams.append(try stream(at: L.absolute(-1), path: "streams[\(i + 1)]."))
            }
        } else if L.type(at: -1) != LUA_TNIL {
            defer { L.pop() }
            throw fail("streams: expected a list of streams, got \(got(-1))")
        }
        L.pop()
        if live && result.streams.isEmpty { throw fail("live = true without streams") }
        for (key, keyPath) in [("danmaku", \CheckResult.danmaku), ("extra", \CheckResult.extra)] {
            let type = L.rawField(t, key)
            defer { L.pop() }
            if type == LUA_TNIL { continue }
            guard type == LUA_TTABLE, case .object(let fields) = L.value(at: -1) else {
                if type == LUA_TTABLE { result[keyPath: keyPath] = [:]; continue }  // empty table reads as object
                throw fail("\(key): expected a table, got \(got(-1))")
            }
            result[keyPath: keyPath] = fields
        }
        return result
    }

    private func stream(at s: Int32, path: String) throws(ScriptError) -> StreamCandidate {
        guard L.type(at: s) == LUA_TTABLE else { throw fail("\(path.dropLast()): expected a table, got \(got(s))") }
        guard let url = try optionalString(s, "url", path: path), URLParts(url) != nil else {
            L.rawField(s, "url")
            defer { L.pop() }
            throw fail("\(path)url: expected an absolute URL string, got \(got(-1))")
        }
        var format = try optionalString(s, "format", path: path) ?? StreamCandidate.guessFormat(url)
        if format == "m3u8" { format = "hls" }
        guard Self.formats.contains(format) else { throw fail("\(path)format: expected flv, hls or rtmp, got \"\(format)\"") }
        var headers: [String: String] = [:]
        let type = L.rawField(s, "headers")
        defer { L.pop() }
        if type == LUA_TTABLE {
            var bad: String?
            L.forEach(-1) {
                guard let k = L.string(at: -2), let v = L.string(at: -1) else { bad = "\(path)headers: names and values must be strings"; return }
                headers[k] = v
            }
            if let bad { throw fail(bad) }
            // Sent as they are with every request for the stream: a line break would add headers of its own.
            if let problem = RequestHeaderRules.problem(in: headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }) {
                throw fail("\(path)headers: \(problem)")
            }
        } else if type != LUA_TNIL {
            throw fail("\(path)headers: expected a table, got \(got(-1))")
        }
        var bitrate: Int?
        if L.rawField(s, "bitrate") == LUA_TNUMBER { bitrate = L.integer(at: -1) ?? L.number(at: -1).map { Int($0) } }
        L.pop()
        return StreamCandidate(format: format, url: remap.apply(url), quality: try optionalString(s, "quality", path: path),
                               cdn: try optionalString(s, "cdn", path: path), headers: headers, bitrate: bitrate)
    }
}

extension StreamCandidate {
    /// The format a URL's scheme or path suggests, for plugins that leave `format` out.
    static func guessFormat(_ url: String) -> String {
        let lower = url.lowercased()
        if lower.hasPrefix("rtmp") { return "rtmp" }
        let path = lower.split(separator: "?", maxSplits: 1).first ?? ""
        if path.hasSuffix(".m3u8") { return "hls" }
        return "flv"
    }
}
