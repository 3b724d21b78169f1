import BiliupNet
import BiliupValues
import CLua

extension ScriptHost {
    /// `crypto.*`: digests, HMAC, base64 (any alphabet), percent-encoding, hex, RC4 and Tars, the pieces
    /// platform signatures are built from and that would be slow or clumsy in Lua.
    func installCrypto() {
        var functions: [(String, HostFunction)] = DigestAlgorithm.allCases.map { algorithm in
            (algorithm.rawValue, { L in
                guard let data = L.bytes(at: 1) else { return L.hostError("crypto.\(algorithm.rawValue): expected a string") }
                guard algorithm.isAvailable else { return L.hostError(Self.unavailable(algorithm, in: "crypto.\(algorithm.rawValue)")) }
                L.push(Digest.hex(Digest.hash(algorithm, data)))
                return 1
            })
        }
        functions += [
            ("digest", { L in
                guard let name = L.string(at: 1), let algorithm = DigestAlgorithm(rawValue: name) else {
                    return L.hostError("crypto.digest: algorithm must be one of \(DigestAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard let data = L.bytes(at: 2) else { return L.hostError("crypto.digest: expected a string to hash") }
                guard algorithm.isAvailable else { return L.hostError(Self.unavailable(algorithm, in: "crypto.digest")) }
                let out = Digest.hash(algorithm, data)
                if lua_toboolean(L, 3) != 0 { L.push(out) } else { L.push(Digest.hex(out)) }
                return 1
            }),
            ("hmac", { L in
                guard let name = L.string(at: 1), let algorithm = DigestAlgorithm(rawValue: name) else {
                    return L.hostError("crypto.hmac: algorithm must be one of \(DigestAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard let key = L.bytes(at: 2), let message = L.bytes(at: 3) else { return L.hostError("crypto.hmac: expected key and message strings") }
                guard algorithm.isAvailable else { return L.hostError(Self.unavailable(algorithm, in: "crypto.hmac")) }
                let out = Digest.hmac(algorithm, key: key, message: message)
                if lua_toboolean(L, 4) != 0 { L.push(out) } else { L.push(Digest.hex(out)) }
                return 1
            }),
            ("hmac_sha256", { L in
                guard let key = L.bytes(at: 1), let message = L.bytes(at: 2) else { return L.hostError("crypto.hmac_sha256: expected key and message strings") }
                L.push(Digest.hex(Digest.hmac(.sha256, key: key, message: message)))
                return 1
            }),
            ("base64_encode", { L in
                guard let data = L.bytes(at: 1) else { return L.hostError("crypto.base64_encode: expected a string") }
                let alphabet = L.string(at: 2) ?? Base64.standardAlphabet
                guard alphabet.utf8.count == 64 else { return L.hostError("crypto.base64_encode: an alphabet has 64 characters") }
                L.push(Base64.encode(data, alphabet: alphabet, padding: lua_toboolean(L, 3) == 0))
                return 1
            }),
            ("base64_decode", { L in
                guard let text = L.string(at: 1) else { return L.hostError("crypto.base64_decode: expected a string") }
                let alphabet = L.string(at: 2) ?? Base64.standardAlphabet
                guard alphabet.utf8.count == 64 else { return L.hostError("crypto.base64_decode: an alphabet has 64 characters") }
                if let out = Base64.decode(text, alphabet: alphabet) { L.push(out) } else { L.pushNil() }
                return 1
            }),
            ("urlencode", { L in
                guard let text = L.string(at: 1) ?? L.integer(at: 1).map(String.init) else { return L.hostError("crypto.urlencode: expected a string") }
                L.push(PercentEncoding.encode(text))
                return 1
            }),
            ("urldecode", { L in
                guard let text = L.string(at: 1) else { return L.hostError("crypto.urldecode: expected a string") }
                L.push(PercentEncoding.decode(text, plusAsSpace: lua_toboolean(L, 2) != 0))
                return 1
            }),
            ("hex", { L in
                guard let data = L.bytes(at: 1) else { return L.hostError("crypto.hex: expected a string") }
                L.push(Digest.hex(data))
                return 1
            }),
            ("unhex", { L in
                guard let text = L.string(at: 1), let data = Self.unhex(text) else { return L.hostError("crypto.unhex: expected an even number of hex digits") }
                L.push(data)
                return 1
            }),
            ("rc4", { L in
                guard let key = L.bytes(at: 1), let data = L.bytes(at: 2), !key.isEmpty else { return L.hostError("crypto.rc4: expected key (not empty) and data strings") }
                L.push(RC4.apply(key: key, to: data))
                return 1
            }),
            ("tars_encode", { L in
                guard L.type(at: 1) == LUA_TTABLE else { return L.hostError("crypto.tars_encode: expected a table of tag = value") }
                switch Self.tarsFields(L, at: 1, depth: 0) {
                case .success(let fields): L.push(Tars.encode(fields)); return 1
                case .failure(let message): return L.hostError("crypto.tars_encode: \(message)")
                }
            }),
            ("tars_decode", { L in
                guard let data = L.bytes(at: 1) else { return L.hostError("crypto.tars_decode: expected a string") }
                do {
                    let fields = try Tars.decode(data)
                    Self.push(tarsStructure: fields, on: L)
                    return 1
                } catch {
                    return L.hostError("crypto.tars_decode: \(error)")
                }
            }),
        ]
        vm.register(module: "crypto", functions)
    }

    private static func unavailable(_ algorithm: DigestAlgorithm, in function: String) -> String {
        "\(function): this system's libcrypto has no \(algorithm.rawValue)"
    }

    private static func unhex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        var i = 0
        while i < digits.count {
            guard let hi = value(digits[i]), let lo = value(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    // MARK: Tars values in Lua
    // A plain table is a struct (integer tag = value); integers, numbers and strings map to themselves;
    // `crypto.tars.bytes/list/map/float/double(...)` (prelude) wrap values whose Tars type Lua cannot show.

    private static func tarsFields(_ L: LuaState, at index: Int32, depth: Int) -> Result<[(Int, TarsValue)], HostMessage> {
        guard depth < 16 else { return .failure("nested deeper than 16") }
        var fields: [(Int, TarsValue)] = []
        var failure: HostMessage?
        L.forEach(index) {
            guard failure == nil else { return }
            guard let tag = L.integer(at: -2), lua_type(L, -2) == LUA_TNUMBER, (0...255).contains(tag) else {
                failure = "struct keys must be tags 0...255"
                return
            }
            switch tarsValue(L, at: -1, depth: depth + 1) {
            case .success(let v): fields.append((tag, v))
            case .failure(let m): failure = HostMessage("tag \(tag): \(m)")
            }
        }
        if let failure { return .failure(failure) }
        return .success(fields.sorted { $0.0 < $1.0 })
    }

    private static func tarsValue(_ L: LuaState, at index: Int32, depth: Int) -> Result<TarsValue, HostMessage> {
        let index = L.absolute(index)
        switch lua_type(L, index) {
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .success(.int(Int64(L.integer(at: index) ?? 0))) }
            return .success(.double(L.number(at: index) ?? 0))
        case LUA_TBOOLEAN: return .success(.int(lua_toboolean(L, index) != 0 ? 1 : 0))
        case LUA_TSTRING: return .success(.string(L.string(at: index) ?? ""))
        case LUA_TTABLE:
            guard let kind = L.stringField(index, "__tars") else {
                return tarsFields(L, at: index, depth: depth).map { .structure($0) }
            }
            L.rawField(index, "value")
            defer { L.pop() }
            switch kind {
            case "bytes": return L.bytes(at: -1).map { .success(.bytes($0)) } ?? .failure("tars.bytes needs a string")
            case "float": return L.number(at: -1).map { .success(.float(Float($0))) } ?? .failure("tars.float needs a number")
            case "double": return L.number(at: -1).map { .success(.double($0)) } ?? .failure("tars.double needs a number")
            case "list":
                guard lua_type(L, -1) == LUA_TTABLE else { return .failure("tars.list needs a table") }
                var items: [TarsValue] = []
                let n = Int(lua_rawlen(L, -1))
                for i in 0..<n {
                    lua_rawgeti(L, -1, lua_Integer(i + 1))
                    defer { L.pop() }
                    switch tarsValue(L, at: -1, depth: depth + 1) {
                    case .success(let v): items.append(v)
                    case .failure(let m): return .failure("list item \(i + 1): \(m)")
                    }
                }
                return .success(.list(items))
            case "map":
                guard lua_type(L, -1) == LUA_TTABLE else { return .failure("tars.map needs a table of {key, value} pairs") }
                var entries: [(TarsValue, TarsValue)] = []
                let n = Int(lua_rawlen(L, -1))
                for i in 0..<n {
                    lua_rawgeti(L, -1, lua_Integer(i + 1))
                    defer { L.pop() }
                    guard lua_type(L, -1) == LUA_TTABLE else { return .failure("map entry \(i + 1) must be {key, value}") }
                    lua_rawgeti(L, -1, 1)
                    let key = tarsValue(L, at: -1, depth: depth + 1)
                    L.pop()
                    lua_rawgeti(L, -1, 2)
                    let value = tarsValue(L, at: -1, depth: depth + 1)
                    L.pop()
                    switch (key, value) {
                    case (.success(let k), .success(let v)): entries.append((k, v))
                    case (.failure(let m), _), (_, .failure(let m)): return .failure("map entry \(i + 1): \(m)")
                    }
                }
                return .success(.map(entries))
            default: return .failure("unknown tars type '\(kind)'")
            }
        default: return .failure("cannot encode a \(L.typeName(at: index)) value")
        }
    }

    private static func push(tarsStructure fields: [(Int, TarsValue)], on L: LuaState) {
        L.newTable(hash: Int32(fields.count))
        for (tag, value) in fields {
            push(tars: value, on: L)
            lua_rawseti(L, -2, lua_Integer(tag))
        }
    }

    private static func push(tars value: TarsValue, on L: LuaState) {
        switch value {
        case .int(let i): lua_pushinteger(L, i)
        case .float(let f): L.push(Double(f))
        case .double(let d): L.push(d)
        case .string(let s): L.push(s)
        case .bytes(let b): L.push(b)
        case .list(let items):
            L.newTable(array: Int32(items.count))
            for (i, item) in items.enumerated() {
                push(tars: item, on: L)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
        case .map(let entries):
            L.newTable(hash: Int32(entries.count))
            for (k, v) in entries {
                push(tars: k, on: L)
                push(tars: v, on: L)
                lua_rawset(L, -3)
            }
        case .structure(let fields): push(tarsStructure: fields, on: L)
        }
    }
}
