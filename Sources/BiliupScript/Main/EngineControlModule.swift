import BiliupValues
import CLua
import Foundation

extension ScriptHost {
    /// `biliup.status()` and `biliup.pause/resume/start/stop(name)`. Each suspends the calling coroutine
    /// while the engine works (the engine may publish events whose hooks run on this same loop).
    /// `control` is read at call time: while main.lua first loads there is no engine yet, and the call says so.
    func installEngineControl(_ control: EngineControlSlot) {
        var functions: [(String, HostFunction)] = [("_status", { [unowned self] (L: LuaState) -> Int32 in
            self.awaitEngine(L, "biliup.status()", control) { engine in Result.success(await engine.scriptStatus()) }
        })]
        for command in StreamerCommand.allCases {
            let name = "biliup.\(command.rawValue)"
            functions.append(("_" + command.rawValue, { [unowned self] (L: LuaState) -> Int32 in
                guard let streamer = L.string(at: 1), !streamer.isEmpty else { return Self.answerFailure(L, "\(name): expected a streamer's name") }
                return self.awaitEngine(L, "\(name)(\"\(streamer)\")", control) { engine in await engine.run(command, streamer: streamer) }
            }))
        }
        vm.register(module: "biliup", functions)
        vm.runTrusted(Prelude.engine, name: "engine control")
    }

    private func awaitEngine(_ L: LuaState, _ what: String, _ control: EngineControlSlot,
                             _ ask: @escaping @Sendable (any EngineControl) async -> Result<JSONValue, EngineControlError>) -> Int32 {
        guard let engine = control.current else {
            return Self.answerFailure(L, "\(what): the engine is not running yet; call it from a hook (biliup.on)")
        }
        guard let call = vm.suspendRunningCall(), call.thread == L else {
            return Self.answerFailure(L, "\(what): only a call of main.lua or of a hook can wait for the engine")
        }
        let pending = PendingAnswer(vm: vm, call: call, what: what)
        Task.detached { pending.resume(with: await ask(engine)) }
        return hostYield
    }

    /// (nil, message): the wrapper raises it at its caller's line.
    static func answerFailure(_ L: LuaState, _ message: String) -> Int32 {
        L.pushNil()
        L.push(message)
        return 2
    }
}

/// A suspended call waiting for the engine's answer, resumed on its VM's loop.
private struct PendingAnswer: Sendable {
    let vm: LuaVM
    let call: LuaCall
    let what: String

    func resume(with answer: Result<JSONValue, EngineControlError>) {
        vm.loop.enqueue { [self] in
            vm.resumeSuspended(call) { thread in
                switch answer {
                case .success(let value): thread.push(value); return 1
                case .failure(let error): return ScriptHost.answerFailure(thread, "\(what): \(error.message)")
                }
            }
        }
    }
}
