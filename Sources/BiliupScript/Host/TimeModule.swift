import CLua

extension ScriptHost {
    /// Longest `time.sleep`: a plugin waiting longer than this is waiting for the wrong thing.
    static let maxSleep = 30.0

    /// `time.now()` (seconds, fractional), `time.unix()`, `time.ms()`, `time.sleep(seconds)` (yields),
    /// and `os.time()` following the same clock, so tests with a fixed clock see one time everywhere.
    func installTime() {
        let clock = configuration.clock
        vm.register(module: "time", [
            ("now", { L in L.push(clock()); return 1 }),
            ("unix", { L in L.push(Int(clock())); return 1 }),
            ("ms", { L in L.push(Int((clock() * 1000).rounded(.down))); return 1 }),
            ("sleep", { [unowned self] L in self.sleep(L) }),
        ])
        vm.runTrusted(Prelude.time, name: "time")
    }

    private func sleep(_ L: LuaState) -> Int32 {
        guard let seconds = L.number(at: 1), seconds >= 0, seconds <= Self.maxSleep else {
            return L.hostError("time.sleep: expected seconds between 0 and \(Int(Self.maxSleep))")
        }
        guard let call = vm.suspendRunningCall(), call.thread == L else {
            return L.hostError("time.sleep: only a plugin's own call can wait (not a nested coroutine or file load)")
        }
        let vm = self.vm
        vm.loop.after(.milliseconds(Int(seconds * 1000))) {
            vm.resumeSuspended(call) { _ in 0 }
        }
        return hostYield
    }
}
