import CLua

/// One call into Lua running as a coroutine of the VM, with its own limits. It may yield while a host
/// request is in flight and is resumed when the result arrives. Like `LuaVM`, confined to the loop thread.
final class LuaCall: @unchecked Sendable {
    /// Who runs (a plugin's name, "main.lua"): the prefix of every message about this call.
    let label: String
    let thread: LuaState
    let threadRef: Int32
    let limits: UnsafeMutablePointer<shim_call>
    var runTimeLeftNs: Int64
    /// A host function yielded and owes this call a resume.
    var waiting = false
    var finished = false
    let finish: (LuaCallEnd) -> Void

    init(label: String, thread: LuaState, threadRef: Int32, limits: ScriptLimits, finish: @escaping (LuaCallEnd) -> Void) {
        self.label = label
        self.thread = thread
        self.threadRef = threadRef
        self.finish = finish
        self.limits = .allocate(capacity: 1)
        self.limits.initialize(to: shim_call(instructions_left: Int64(limits.instructions), deadline_ns: 0, hooks_since_clock: 0, bytes: 0,
                                             bytes_limit: Int64(limits.memoryBytes), stop_reason: 0, thread: thread))
        runTimeLeftNs = limits.runTime.nanoseconds
    }

    deinit {
        limits.deallocate()
    }
}

/// How a call ended. On `.returned` the results are the top `count` values of the call's thread, readable
/// only inside `finish`.
enum LuaCallEnd {
    case returned(thread: LuaState, count: Int32)
    case failed(ScriptError)
}
