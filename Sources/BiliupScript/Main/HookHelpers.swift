import CLua
import Foundation

extension ScriptHost {
    /// Most output of a program run from a hook that is kept (each of stdout and stderr).
    static let maxProgramOutput = 1 << 20

    /// `biliup.run(argv [, {timeout = s, cwd = dir}])`, `biliup.move(from, to)`, `biliup.delete(path)`:
    /// what hooks do with finished files. Programs get an argument list, never a shell line, so a title
    /// or path can never become a command. Moving a video moves its danmaku XML and `.ass` too
    /// (`CompanionFiles`), renamed like it.
    func installHookHelpers(remux: (@Sendable (String, String) -> String?)?) {
        if let remux { installRemux(remux) }
        vm.register(module: "biliup", [
            ("run", { [unowned self] L in self.runProgram(L) }),
            ("move", { L in
                guard let from = L.string(at: 1), let to = L.string(at: 2) else { return L.hostError("biliup.move: expected two paths") }
                // Looked up before the video moves; moved after it, so a failed video move leaves all in place.
                let companions = CompanionFiles.moves(video: from, destination: to)
                do {
                    let parent = (to as NSString).deletingLastPathComponent
                    if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
                    try FileManager.default.moveItem(atPath: from, toPath: to)
                } catch {
                    return L.hostError("biliup.move: \(from) → \(to): \(error.localizedDescription)")
                }
                for (companionFrom, companionTo) in companions {
                    do { try FileManager.default.moveItem(atPath: companionFrom, toPath: companionTo) } catch {
                        return L.hostError("biliup.move: moved \(from), but not its \(companionFrom) → \(companionTo): \(error.localizedDescription)")
                    }
                }
                L.push(true)
                return 1
            }),
            ("delete", { L in
                guard let path = L.string(at: 1) else { return L.hostError("biliup.delete: expected a path") }
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { L.push(false); return 1 }
                if isDirectory.boolValue { return L.hostError("biliup.delete: \(path) is a directory (only files are deleted)") }
                do { try FileManager.default.removeItem(atPath: path) } catch {
                    return L.hostError("biliup.delete: \(path): \(error.localizedDescription)")
                }
                L.push(true)
                return 1
            }),
        ])
    }

    /// `biliup.remux(from, to)`: the engine's remuxer (container from `to`'s extension) on a thread of its
    /// own; raises with its message when it fails.
    private func installRemux(_ remux: @escaping @Sendable (String, String) -> String?) {
        vm.register(module: "biliup", [("remux", { [unowned self] L in
            guard let from = L.string(at: 1), let to = L.string(at: 2) else { return L.hostError("biliup.remux: expected two paths") }
            guard let call = vm.suspendRunningCall(), call.thread == L else {
                return L.hostError("biliup.remux: only a hook's own call can wait for a remux")
            }
            let vm = self.vm
            Thread.detachNewThread {
                let failure = remux(from, to)
                vm.loop.enqueue {
                    vm.resumeSuspended(call) { thread in
                        if let failure { thread.pushNil(); thread.push("biliup.remux: \(failure)"); return 2 }
                        thread.push(true)
                        return 1
                    }
                }
            }
            return hostYield
        })])
        vm.runTrusted(Prelude.remux, name: "remux")
    }

    private func runProgram(_ L: LuaState) -> Int32 {
        guard L.type(at: 1) == LUA_TTABLE, case .array(let items) = L.value(at: 1), !items.isEmpty else {
            return L.hostError("biliup.run: expected an argument list like { \"ffmpeg\", \"-i\", path, ... }")
        }
        var argv: [String] = []
        for item in items {
            switch item {
            case .string(let s): argv.append(s)
            case .int(let i): argv.append(String(i))
            case .number(let d): argv.append(String(d))
            default: return L.hostError("biliup.run: arguments must be strings or numbers")
            }
        }
        var timeout: Double = 3600
        var cwd: String?
        if L.type(at: 2) == LUA_TTABLE {
            if L.rawField(2, "timeout") == LUA_TNUMBER { timeout = L.number(at: -1) ?? timeout }
            L.pop()
            cwd = L.stringField(2, "cwd")
        }
        guard let call = vm.suspendRunningCall(), call.thread == L else {
            return L.hostError("biliup.run: only a hook's own call can wait for a program")
        }
        let vm = self.vm
        let finish: @Sendable (ProgramResult) -> Void = { result in
            vm.loop.enqueue {
                vm.resumeSuspended(call) { thread in
                    thread.newTable(hash: 3)
                    thread.setField(-1, "status", Int(result.status))
                    thread.setField(-1, "stdout", result.stdout)
                    thread.setField(-1, "stderr", result.stderr)
                    if let error = result.error { thread.setField(-1, "error", error) }
                    return 1
                }
            }
        }
        let (program, directory, limit) = (argv, cwd, timeout)
        Task.detached { await ScriptHost.execute(program, cwd: directory, timeout: limit, finish) }
        return hostYield
    }

    struct ProgramResult: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        var error: String?
    }

    private static func execute(_ argv: [String], cwd: String?, timeout: Double,
                                _ finish: @Sendable (ProgramResult) -> Void) async {
        let r = await ChildProcess.run(argv, cwd: cwd, timeout: timeout, outputLimit: maxProgramOutput)
        finish(ProgramResult(status: r.status, stdout: String(decoding: r.stdout, as: UTF8.self),
                             stderr: String(decoding: r.stderr, as: UTF8.self), error: r.error))
    }
}
