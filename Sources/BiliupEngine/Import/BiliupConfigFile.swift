import BiliupValues
import Foundation
import TOMLKit
import Yams

/// biliup's config.toml or config.yaml read into plain values, through TOMLKit and Yams. A file that
/// does not parse is an `ImportError` at the line the parser names.
public enum BiliupConfigFile {
    public static func read(_ path: String) throws(ImportError) -> [String: JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ImportError(file: path, "cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw ImportError(file: path, "is not UTF-8 text") }
        switch (path as NSString).pathExtension.lowercased() {
        case "toml": return try toml(text, file: path)
        case "yaml", "yml": return try yaml(text, file: path)
        default: throw ImportError(file: path, "expected a .toml or .yaml file (biliup's config), or data.sqlite3 (its database)")
        }
    }

    public static func toml(_ text: String, file: String) throws(ImportError) -> [String: JSONValue] {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw ImportError(file: file, line: error.source.begin.line, "\(error.description) (column \(error.source.begin.column))")
        } catch {
            throw ImportError(file: file, "\(error)")
        }
        return object(table)
    }

    private static func object(_ table: TOMLTable) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (key, value) in table { out[key] = self.value(value) }
        return out
    }

    private static func value(_ v: TOMLValueConvertible) -> JSONValue {
        switch v.type {
        case .table: return v.table.map { .object(object($0)) } ?? .null
        case .array: return .array(v.array.map { $0.map(value) } ?? [])
        case .string: return v.string.map(JSONValue.string) ?? .null
        case .int: return v.int.map { .int(Int64($0)) } ?? .null
        case .double: return v.double.map(JSONValue.number) ?? .null
        case .bool: return v.bool.map(JSONValue.bool) ?? .null
        // Dates and times as TOML writes them; biliup itself only ever has strings there.
        case .date, .time, .dateTime: return .string(v.debugDescription)
        }
    }

    public static func yaml(_ text: String, file: String) throws(ImportError) -> [String: JSONValue] {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw ImportError(file: file, line: line(of: error), problem(of: error))
        } catch {
            throw ImportError(file: file, "\(error)")
        }
        guard let node else { return [:] }
        guard case .object(let root) = value(node) else {
            throw ImportError(file: file, line: node.mark?.line, "expected a mapping of biliup's options at the top")
        }
        return root
    }

    private static func value(_ node: Node) -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var out: [String: JSONValue] = [:]
            for (key, v) in mapping { out[key.string ?? ""] = value(v) }
            return .object(out)
        case .sequence(let sequence): return .array(sequence.map(value))
        case .scalar(let scalar):
            // By the tag the resolver gave it, so a quoted "123" or "01:00:00" stays the string it was written as.
            let written = Tag.Name(rawValue: scalar.tag.description)
            switch written == .implicit ? Resolver.default.resolveTag(of: node) : written {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case .float: return node.float.map(JSONValue.number) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .alias: return .null
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        // Where the unclosed or broken construct starts, when the parser says: that is where the fix goes
        // (the problem itself is often found lines later, at the end of the file).
        case .scanner(let context, _, let mark, _), .parser(let context, _, let mark, _), .composer(let context, _, let mark, _):
            return context?.mark.line ?? mark.line
        case .duplicatedKeysInMapping(_, let context): return context.mark.line
        default: return nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _), .composer(let context, let problem, let mark, _):
            let found = context == nil ? "" : " (found at line \(mark.line))"
            return (context.map { "\($0.text): " } ?? "") + problem + found
        case .duplicatedKeysInMapping(let duplicates, _): return "duplicate keys \(duplicates.joined(separator: ", "))"
        default: return "\(error)"
        }
    }
}
