import ArgumentParser
import BiliupEngine

@main
struct Biliup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "biliup",
        abstract: "Record live streams, check rooms through platform plugins, check what was recorded, and upload it to Bilibili.",
        discussion: """
            biliup records HTTP-FLV, HLS (MPEG-TS or fMP4 segments) and RTMP streams into segment files that \
            start on a keyframe at timestamp 0, repairs broken timestamps, and survives reconnects. Platform \
            pages (bilibili, douyu, huya, douyin, twitch, youtube, ...) are resolved by Lua plugins \
            (see `biliup plugins` and lua/README.md). Finished segments are uploaded to Bilibili as the parts \
            of one archive per session (`biliup login`, then a template with an account); `biliup upload` and \
            `biliup append` send files by hand.
            """,
        version: BiliupVersion.current,
        subcommands: [RunCommand.self, ServerCommand.self, DownloadCommand.self, CheckCommand.self, PluginsCommand.self, ProbeCommand.self,
                      UserCommand.self, LoginCommand.self, AccountsCommand.self, RenewCommand.self, UploadCommand.self,
                      AppendCommand.self, Danmaku2AssCommand.self, ImportCommand.self])

    /// Global options may come before the subcommand (`biliup --plugin-dir DIR check URL`); each
    /// subcommand declares them, so they are moved behind its name before parsing.
    static func main() {
        MallocPolicy.apply()
        main(GlobalArguments.movedBehindSubcommand(GlobalArguments.reprintValued(Array(CommandLine.arguments.dropFirst()))))
    }
}

enum GlobalArguments {
    /// Options of `ScriptOptions` that take a value, and biliup's `-u/--user-cookie` (`biliup -u FILE upload ...`).
    static let valued: Set<String> = ["--plugin-dir", "--host-remap", "--data-dir", "-u", "--user-cookie"]

    static func movedBehindSubcommand(_ args: [String]) -> [String] {
        var globals: [String] = []
        var i = 0
        while i < args.count {
            let arg = args[i]
            let name = String(arg.split(separator: "=", maxSplits: 1).first ?? "")
            guard valued.contains(name) else { break }
            globals.append(arg)
            if !arg.contains("="), i + 1 < args.count {
                globals.append(args[i + 1])
                i += 1
            }
            i += 1
        }
        guard !globals.isEmpty, i < args.count else { return args }
        return [args[i]] + globals + args[(i + 1)...]
    }

    /// biliup's `--no-reprint` takes 0 or 1 (`--no-reprint 1`); a bare `--no-reprint` (not followed by a
    /// number), as people also write it, means 1. Arguments after `--` are files and stay as they are.
    static func reprintValued(_ args: [String]) -> [String] {
        var out: [String] = []
        for (i, arg) in args.enumerated() {
            if arg == "--" { return out + args[i...] }
            let valued = i + 1 < args.count && Int(args[i + 1]) != nil
            out.append(arg == "--no-reprint" && !valued ? "--no-reprint=1" : arg)
        }
        return out
    }
}
