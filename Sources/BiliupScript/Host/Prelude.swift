import Foundation

/// The parts of the host API written in Lua, shipped as the BiliupScript target's resources
/// (`Resources/prelude/*.lua`, beside the binary in `biliup_BiliupScript.resources`). Each file is read
/// once, the first time a VM needs it.
enum Prelude {
    /// Every VM: friendly wrappers over the raw host functions (errors raised at the script's line),
    /// `validate` for response shapes, `cache`, and Tars type wrappers.
    static let host = text(of: "host")
    /// main.lua's VM: the `biliup` table it declares itself with.
    static let main = text(of: "main")
    /// main.lua's VM: `biliup.status()` and `biliup.pause/resume/start/stop` over the raw host functions.
    static let engine = text(of: "engine")
    /// Hooks: `biliup.remux` raising at the caller's line.
    static let remux = text(of: "remux")
    /// Every VM: `os.time()` on the host's clock.
    static let time = text(of: "time")
    /// The plugin registry's VM: pattern matching that reports a bad pattern instead of raising.
    static let match = text(of: "match")
    /// Plugin VMs: no native code and no bytecode.
    static let sandbox = text(of: "sandbox")

    /// Without these files no script can run, so a build or install that lost them stops at once and
    /// says where it looked.
    static func text(of name: String) -> String {
        let url = file(name)
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            fatalError("biliup: the built-in Lua file \(url.path) is missing or unreadable; "
                       + "the biliup_BiliupScript.resources folder must stay beside the biliup binary")
        }
        return text
    }

    /// Where prelude file `name` is shipped.
    static func file(_ name: String) -> URL {
        Bundle.module.bundleURL.appendingPathComponent("prelude/\(name).lua")
    }
}
