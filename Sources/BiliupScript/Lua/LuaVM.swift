import CLua

/// A Swift function callable from Lua. It returns how many results it pushed, `hostError` after pushing a
/// message, or `hostYield` to suspend the calling coroutine until the VM resumes it.
typealias HostFunction = (LuaState) -> Int32
let hostYield = Int32(SHIM_HOST_YIELD)

private final class HostFunctionBox {
    let body: HostFunction
    init(_ body: @escaping HostFunction) { self.body = body }
}

private let hostTrampoline: shim_swift_fn = { state, context in
    Unmanaged<HostFunctionBox>.fromOpaque(context!).takeUnretainedValue().body(state!)
}

/// One Lua 5.4 state and the calls running in it, all on `loop`'s thread. Calls are coroutines with
/// their own limits (see shim.h); host functions may yield them while the network works.
/// Confined to the loop thread; it is only sent elsewhere inside jobs that run back on that thread.
final class LuaVM: @unchecked Sendable {
    let L: LuaState
    let loop: ScriptLoop
    private let accounting: UnsafeMutablePointer<shim_vm>
    private var hostFunctions: [HostFunctionBox] = []
    /// The call being resumed right now, for host functions that need to know who calls them.
    private(set) var runningCall: LuaCall?

    enum Libraries {
        /// What a platform plugin needs: no `io`, no `os` beyond clocks and dates.
        case plugin
        /// Everything: main.lua is the user's own program.
        case full
    }

    private let libraries: Libraries

    init(loop: ScriptLoop, libraries: Libraries) {
        self.loop = loop
        self.libraries = libraries
        accounting = .allocate(capacity: 1)
        accounting.initialize(to: shim_vm(total: 0, total_limit: Int64(ScriptLimits.vmMemoryBytes), current: nil, in_host: 0))
        L = shim_newstate(accounting)!
        switch libraries {
        case .full:
            luaL_openlibs(L)
        case .plugin:
            let libs: [(String, lua_CFunction)] = [
                ("_G", luaopen_base), ("package", luaopen_package), ("coroutine", luaopen_coroutine),
                ("table", luaopen_table), ("string", luaopen_string), ("math", luaopen_math), ("utf8", luaopen_utf8),
                ("os", luaopen_os),
            ]
            for (name, open) in libs {
                luaL_requiref(L, name, open, 1)
                L.pop()
            }
            // Plugins get the clocks and dates of `os`, not its process and file functions.
            lua_getglobal(L, "os")
            for name in ["execute", "exit", "getenv", "remove", "rename", "setlocale", "tmpname"] {
                L.pushNil()
                L.setField(-2, name)
            }
            L.pop()
            for name in ["dofile", "loadfile"] {
                L.pushNil()
                lua_setglobal(L, name)
            }
            runTrusted(Prelude.sandbox, name: "sandbox")  // no native code, no bytecode (prelude/sandbox.lua)
        }
    }

    /// The state goes with the VM: every main.lua reload (a failed one too) makes a new VM, and each
    /// unclosed state kept its whole heap. Nothing can call into it any more: its host functions and
    /// running calls hold the VM itself.
    deinit {
        lua_close(L)
        accounting.deinitialize(count: 1)
        accounting.deallocate()
    }

    /// Memory the whole VM holds.
    var memoryBytes: Int { Int(accounting.pointee.total) }

    // MARK: Host functions

    func push(function body: @escaping HostFunction) {
        let box = HostFunctionBox(body)
        hostFunctions.append(box)
        shim_push_swift_closure(L, hostTrampoline, Unmanaged.passUnretained(box).toOpaque())
    }

    /// Adds `functions` to the global table `name`, creating it if needed.
    func register(module name: String, _ functions: [(String, HostFunction)]) {
        if lua_getglobal(L, name) != LUA_TTABLE {
            L.pop()
            L.newTable()
            lua_pushvalue(L, -1)
            lua_setglobal(L, name)
        }
        for (key, body) in functions {
            push(function: body)
            L.setField(-2, key)
        }
        L.pop()
    }

    /// Compiles and runs `source` on the main thread without limits: for the host's own Lua code only.
    func runTrusted(_ source: String, name: String) {
        var source = source
        let status = source.withUTF8 { shim_luaL_loadbuffer(L, $0.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, $0.count, "=" + name) }
        precondition(status == LUA_OK, "built-in Lua \(name) does not compile: \(L.string(at: -1) ?? "")")
        let run = shim_lua_pcall(L, 0, 0, 0)
        precondition(run == LUA_OK, "built-in Lua \(name) failed: \(L.string(at: -1) ?? "")")
    }

    /// Compiles a chunk and leaves the function on the stack; a syntax error comes back with file and line.
    /// Plugin files must be Lua text: a precompiled file would be bytecode (see prelude/sandbox.lua).
    func compile(_ bytes: [UInt8], chunkName: String, source: String) -> ScriptError? {
        let mode = libraries == .plugin ? "t" : "bt"
        let status = bytes.withUnsafeBufferPointer {
            luaL_loadbufferx(L, UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: CChar.self), $0.count, chunkName, mode)
        }
        guard status == LUA_OK else {
            let message = L.string(at: -1) ?? "cannot load"
            L.pop()
            return ScriptError(kind: .load, source: source, message: message)
        }
        return nil
    }

    // MARK: Calls

    /// Starts a call on a fresh coroutine. `prepare` pushes the function and its arguments on the thread
    /// and returns the argument count; `finish` runs once, with the results or the failure.
    func start(label: String, limits: ScriptLimits, prepare: (LuaState) -> Int32, finish: @escaping (LuaCallEnd) -> Void) {
        let thread = lua_newthread(L)!
        let ref = luaL_ref(L, shim_LUA_REGISTRYINDEX())
        shim_set_limit_hook(thread)
        let call = LuaCall(label: label, thread: thread, threadRef: ref, limits: limits, finish: finish)
        let arguments = prepare(thread)
        let timeout = limits.callTimeout
        loop.after(timeout) { [weak self, weak call] in
            guard let self, let call, !call.finished else { return }
            self.end(call, .failed(ScriptError(kind: .timeout, source: call.label,
                                               message: "no result after \(Self.seconds(timeout)) (call timeout)")))
        }
        resume(call, arguments: arguments)
    }

    /// Marks the running call as suspended by a host function, which must later `resume` it.
    func suspendRunningCall() -> LuaCall? {
        guard let call = runningCall else { return nil }
        call.waiting = true
        return call
    }

    /// Resumes a call that a host function suspended; `push` puts the values its Lua caller receives.
    func resumeSuspended(_ call: LuaCall, push: (LuaState) -> Int32) {
        guard !call.finished, call.waiting else { return }
        call.waiting = false
        resume(call, arguments: push(call.thread))
    }

    private func resume(_ call: LuaCall, arguments: Int32) {
        runningCall = call
        accounting.pointee.current = call.limits
        let started = shim_thread_cpu_ns()
        call.limits.pointee.deadline_ns = started + call.runTimeLeftNs
        var results: Int32 = 0
        let status = lua_resume(call.thread, L, arguments, &results)
        accounting.pointee.current = nil
        runningCall = nil
        call.runTimeLeftNs -= shim_thread_cpu_ns() - started
        switch status {
        case LUA_OK:
            end(call, .returned(thread: call.thread, count: results))
        case LUA_YIELD where call.waiting:
            call.thread.pop(results)
        case LUA_YIELD:
            end(call, .failed(ScriptError(kind: .runtime, source: call.label,
                                          message: "coroutine.yield outside a nested coroutine (only host functions may suspend a call)")))
        default:
            end(call, .failed(failure(of: call)))
        }
    }

    private func failure(of call: LuaCall) -> ScriptError {
        let thread = call.thread
        let message = thread.string(at: -1) ?? "error object is a \(thread.typeName(at: -1)) value"
        luaL_traceback(L, thread, message, 0)
        let traceback = L.string(at: -1)
        L.pop()
        let limits = call.limits.pointee
        switch limits.stop_reason {
        case 1: return ScriptError(kind: .limit, source: call.label, message: "\(message) (instruction limit)", traceback: traceback)
        case 2: return ScriptError(kind: .limit, source: call.label, message: "\(message) (run time limit)", traceback: traceback)
        case 3:
            let mb = limits.bytes_limit >> 20
            return ScriptError(kind: .limit, source: call.label, message: "memory limit of \(mb) MiB exceeded", traceback: traceback)
        default: return ScriptError(kind: .runtime, source: call.label, message: message, traceback: traceback)
        }
    }

    private func end(_ call: LuaCall, _ how: LuaCallEnd) {
        guard !call.finished else { return }
        call.finished = true
        call.finish(how)
        lua_resetthread(call.thread)
        luaL_unref(L, shim_LUA_REGISTRYINDEX(), call.threadRef)
    }

    static func seconds(_ d: Duration) -> String {
        let s = d.nanoseconds / 1_000_000
        return s % 1000 == 0 ? "\(s / 1000) s" : "\(Double(s) / 1000) s"
    }
}
