import ArgumentParser
import BiliupEngine
import BiliupScript
import Foundation

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the platform plugins, their URL patterns and options, and plugin files that fail to load.",
        discussion: "Plugins are searched in the shipped lua/plugins, DATA_DIR/plugins, BILIUP_PLUGIN_PATH and --plugin-dir, a later one replacing an earlier plugin of the same name. See lua/README.md.")

    @OptionGroup var script: ScriptOptions
    @Flag(help: "Print the list as JSON.") var json = false

    func run() throws {
        let host = script.makeHost()
        let catalog = blocking { await host.catalog() }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(catalog), as: UTF8.self))
        } else {
            print("directories: " + catalog.directories.joined(separator: ", "))
            for p in catalog.plugins {
                print("\n\(p.name)\(p.batch ? " (batch checks)" : "")\(p.fallback ? " (fallback)" : "")  \(p.file)")
                for pattern in p.patterns { print("  match  \(pattern)") }
                for key in Set(p.defaults.keys).union(p.options.keys).sorted() {
                    let value = p.defaults[key].map { " = \($0)" } ?? ""
                    let help = p.options[key].map { "  (\($0))" } ?? ""
                    print("  option \(key)\(value)\(help)")
                }
            }
            for f in catalog.failures {
                print("\nERROR \(f.file): \(f.message)\(f.keptPrevious ? " (the previous version stays in use)" : "")")
            }
        }
        if !catalog.failures.isEmpty { throw ExitCode(1) }
    }
}
