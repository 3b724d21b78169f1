import BiliupNet
import CLua

/// The VM with its host modules installed: what plugins and main.lua see as `http`, `json`, `crypto`,
/// `time`, `log`, `cache` and `validate`. Lives on the VM's loop thread.
final class ScriptHost {
    let vm: LuaVM
    let configuration: ScriptConfiguration
    /// One cookie jar per plugin, so one site's login never reaches another.
    var cookieJars: [String: CookieJar] = [:]
    /// Registry reference of `json.empty_array`.
    var emptyArrayRef: Int32 = 0

    init(loop: ScriptLoop, libraries: LuaVM.Libraries, configuration: ScriptConfiguration) {
        vm = LuaVM(loop: loop, libraries: libraries)
        self.configuration = configuration
        installJSON()
        installHTTP()
        installCrypto()
        installTime()
        installLog()
        vm.register(module: "_host", [("source", { [unowned self] L in L.push(self.label); return 1 })])
        vm.runTrusted(Prelude.host, name: "prelude")
        installRandomSeed()
    }

    var label: String { vm.runningCall?.label ?? "lua" }

    func cookieJar(for label: String) -> CookieJar {
        if let jar = cookieJars[label] { return jar }
        let jar = CookieJar()
        cookieJars[label] = jar
        return jar
    }

    /// `math.random` is reseeded before each call when the configuration fixes a seed.
    private func installRandomSeed() {
        guard configuration.randomSeed != nil else { return }
        lua_getglobal(vm.L, "math")
        vm.L.rawField(-1, "randomseed")
        lua_setfield(vm.L, shim_LUA_REGISTRYINDEX(), "biliup.randomseed")
        vm.L.pop()
    }

    /// Pushes `math.randomseed(seed)` effects on `thread` before a call starts (fixed-seed configurations only).
    func reseed(_ thread: LuaState) {
        guard let seed = configuration.randomSeed else { return }
        lua_getfield(thread, shim_LUA_REGISTRYINDEX(), "biliup.randomseed")
        thread.push(seed)
        _ = shim_lua_pcall(thread, 1, 0, 0)
    }
}
