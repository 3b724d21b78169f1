import BiliupValues
import Foundation
import GRDB

/// The rows of biliup's server database (data/data.sqlite3, reference §6.3) that `biliup import`
/// brings over, as plain values; JSON columns are decoded. The file is opened read-only.
public struct BiliupServerDatabase: Sendable {
    public var liveStreamers: [[String: JSONValue]] = []
    public var uploadStreamers: [[String: JSONValue]] = []
    /// `configuration` rows in id order: (key, value).
    public var configuration: [(key: String, value: String)] = []

    static let jsonColumns: Set<String> = ["override", "preprocessor", "segment_processor", "downloaded_processor", "postprocessor",
                                           "opt_args", "excluded_keywords", "tags", "credits"]

    /// Whether `path` is an SQLite file (by its header), whatever its name.
    public static func isDatabase(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 16)) == Data("SQLite format 3\0".utf8)
    }

    public static func read(_ path: String) throws(ImportError) -> BiliupServerDatabase {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                for table in ["livestreamers", "uploadstreamers", "configuration"] where try !db.tableExists(table) {
                    throw ImportError(file: path, "has no table \(table); is it biliup's data/data.sqlite3 (biliup 1.x server)?")
                }
                var out = BiliupServerDatabase()
                out.liveStreamers = try Row.fetchAll(db, sql: "SELECT * FROM livestreamers ORDER BY id").map(values)
                out.uploadStreamers = try Row.fetchAll(db, sql: "SELECT * FROM uploadstreamers ORDER BY id").map(values)
                out.configuration = try Row.fetchAll(db, sql: "SELECT key, value FROM configuration ORDER BY id").map { row in
                    (key: row["key"] ?? "", value: row["value"] ?? "")
                }
                return out
            }
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError(file: path, "cannot be read as biliup's database: \(error)")
        }
    }

    private static func values(_ row: Row) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for column in row.columnNames {
            let dbValue: DatabaseValue = row[column]
            var value: JSONValue
            switch dbValue.storage {
            case .null: value = .null
            case .int64(let n): value = .int(n)
            case .double(let d): value = .number(d)
            case .string(let s): value = .string(s)
            case .blob(let b): value = .string(String(decoding: b, as: UTF8.self))
            }
            // Migration 2 of biliup turned '' and 'null' into NULL; older files may still have them.
            if jsonColumns.contains(column), case .string(let s) = value {
                value = s.isEmpty || s == "null" ? .null : ImportValues.json(value) ?? value
            }
            switch value {
            case .null: continue  // a column not set
            case .object(let o): out[column] = .object(ImportValues.withoutNulls(o))
            default: out[column] = value
            }
        }
        return out
    }
}
