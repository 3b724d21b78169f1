import BiliupValues
import CLua
import Foundation

/// The user's orchestration file (scripts/main.lua): loaded into its own Lua VM with the full standard
/// library and the host modules, checked into an `OrchestrationConfig`, reloaded when it changes, and
/// the home of its hooks. A reload that fails keeps the last good configuration and hooks.
public final class MainScript: @unchecked Sendable {
    public let path: String
    private let configuration: ScriptConfiguration
    private let parseDuration: @Sendable (String) -> Double?
    private let parseSize: @Sendable (String) -> Int64?
    private let checkOutput: @Sendable (String) -> String?
    private let formats: [String]
    private let remux: (@Sendable (String, String) -> String?)?
    private let loop = ScriptLoop(name: "biliup-main")
    // Loop thread only. A replaced VM is never closed: a hook of it may still be waiting on the network,
    // and reloads happen when a person edits the file, so what they keep is small.
    private var host: ScriptHost?
    private var declarationsRef: Int32 = LUA_NOREF
    private var stamp: FileStamp?
    /// The running engine, once there is one (`biliup.status()`, `biliup.pause(name)` …).
    private let control = EngineControlSlot()

    /// What main.lua may use per run of the file or of one hook: more than a plugin check, it is the
    /// user's own program, but a runaway still must not hang the engine.
    public static let limits = ScriptLimits(instructions: 1_000_000_000, runTime: .seconds(10), memoryBytes: 256 << 20,
                                            callTimeout: .seconds(300))

    public init(path: String, configuration: ScriptConfiguration,
                parseDuration: @escaping @Sendable (String) -> Double?, parseSize: @escaping @Sendable (String) -> Int64?,
                checkOutput: @escaping @Sendable (String) -> String?, formats: [String],
                remux: (@Sendable (_ from: String, _ to: String) -> String?)? = nil) {
        self.remux = remux
        self.path = path
        self.configuration = configuration
        self.parseDuration = parseDuration
        self.parseSize = parseSize
        self.checkOutput = checkOutput
        self.formats = formats
    }

    private var fileName: String { (path as NSString).lastPathComponent }

    /// Lets main.lua and its hooks command `engine` from now on.
    public func attach(_ engine: any EngineControl) {
        control.set(engine)
    }

    /// Runs the file and checks what it declares. On success its hooks replace the previous ones.
    public func load() async -> Result<OrchestrationConfig, ScriptError> {
        await withCheckedContinuation { cont in
            loop.enqueue { self.loadOnLoop { cont.resume(returning: $0) } }
        }
    }

    /// Loads again when the file changed since the last load (good or bad); nil when it did not.
    public func reloadIfChanged() async -> Result<OrchestrationConfig, ScriptError>? {
        let changed: Bool = await withCheckedContinuation { cont in
            loop.enqueue { cont.resume(returning: FileStamp(path: self.path) != self.stamp) }
        }
        return changed ? await load() : nil
    }

    private func loadOnLoop(_ done: @escaping (Result<OrchestrationConfig, ScriptError>) -> Void) {
        stamp = FileStamp(path: path)
        guard let data = FileManager.default.contents(atPath: path) else {
            return done(.failure(ScriptError(kind: .load, source: fileName, message: "cannot read \(path)")))
        }
        let candidate = ScriptHost(loop: loop, libraries: .full, configuration: configuration)
        let vm = candidate.vm
        vm.runTrusted(Prelude.main, name: "biliup")
        candidate.installHookHelpers(remux: remux)
        candidate.installEngineControl(control)
        if let error = vm.compile(Array(data), chunkName: "@" + fileName, source: fileName) {
            return done(.failure(error))
        }
        let L = vm.L
        vm.start(label: fileName, limits: Self.limits, prepare: { thread in
            lua_xmove(L, thread, 1)
            return 0
        }, finish: { [self] end in
            if case .failed(let error) = end { return done(.failure(error)) }
            lua_getglobal(L, "_biliup_declarations")
            L.pushNil()
            lua_setglobal(L, "_biliup_declarations")
            var reader = OrchestrationReader(file: fileName, parseDuration: parseDuration, parseSize: parseSize,
                                             checkOutput: checkOutput, formats: formats)
            var config = reader.read(config: Self.declarations(L, "config"), templates: Self.declarations(L, "templates"),
                                     streamers: Self.declarations(L, "streamers"), hooks: Self.hookCounts(L))
            var webhookReader = WebhookDeclarationReader(file: fileName)
            config.webhooks = webhookReader.read(Self.declarations(L, "webhooks"))
            let errors = reader.errors + webhookReader.errors
            guard errors.isEmpty else {
                L.pop()
                return done(.failure(ScriptError(kind: .load, source: fileName, message: errors.joined(separator: "\n"))))
            }
            declarationsRef = luaL_ref(L, shim_LUA_REGISTRYINDEX())
            host = candidate
            done(.success(config))
        })
    }

    /// The entries of `declarations[key]` (on top of the stack): `{ name?, value, line }`.
    private static func declarations(_ L: LuaState, _ key: String) -> [OrchestrationReader.Declaration] {
        L.rawField(-1, key)
        defer { L.pop() }
        var out: [OrchestrationReader.Declaration] = []
        let n = Int(lua_rawlen(L, -1))
        for i in 0..<n {
            lua_rawgeti(L, -1, lua_Integer(i + 1))
            defer { L.pop() }
            let line = L.rawField(-1, "line") == LUA_TNUMBER ? L.integer(at: -1) ?? 0 : 0
            L.pop()
            L.rawField(-1, "value")
            var value: [String: JSONValue] = [:]
            if case .object(let o) = L.value(at: -1) { value = o }
            L.pop()
            out.append(OrchestrationReader.Declaration(name: L.stringField(-1, "name"), value: value, line: line))
        }
        return out
    }

    private static func hookCounts(_ L: LuaState) -> [String: Int] {
        L.rawField(-1, "hooks")
        defer { L.pop() }
        var counts: [String: Int] = [:]
        L.forEach(-1) {
            if let event = L.string(at: -2) { counts[event] = Int(lua_rawlen(L, -1)) }
        }
        return counts
    }

    // MARK: Hooks

    /// Runs every handler of `event` in declaration order with `payload` as its argument table; returns
    /// the errors of those that failed (the others still run).
    public func emit(_ event: String, _ payload: [String: JSONValue]) async -> [ScriptError] {
        await withCheckedContinuation { cont in
            loop.enqueue { self.runHandlers(event, payload, from: 1, errors: []) { cont.resume(returning: $0) } }
        }
    }

    private func runHandlers(_ event: String, _ payload: [String: JSONValue], from index: Int, errors: [ScriptError],
                             done: @escaping ([ScriptError]) -> Void) {
        guard let host, declarationsRef != LUA_NOREF else { return done(errors) }
        let L = host.vm.L
        lua_rawgeti(L, shim_LUA_REGISTRYINDEX(), lua_Integer(declarationsRef))
        L.rawField(-1, "hooks")
        L.rawField(-1, event)
        let count = lua_type(L, -1) == LUA_TTABLE ? Int(lua_rawlen(L, -1)) : 0
        L.pop(3)
        guard index <= count else { return done(errors) }
        let ref = declarationsRef
        host.vm.start(label: "\(fileName) on(\"\(event)\") #\(index)", limits: Self.limits, prepare: { thread in
            lua_rawgeti(thread, shim_LUA_REGISTRYINDEX(), lua_Integer(ref))
            thread.rawField(-1, "hooks")
            thread.rawField(-1, event)
            lua_rawgeti(thread, -1, lua_Integer(index))
            shim_lua_insert(thread, -4)
            thread.pop(3)
            thread.push(JSONValue.object(payload))
            return 1
        }, finish: { [self] end in
            var errors = errors
            if case .failed(let error) = end { errors.append(error) }
            runHandlers(event, payload, from: index + 1, errors: errors, done: done)
        })
    }
}
