import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import BiliupDanmaku

/// A scratch folder for segment files, removed by `remove()`.
struct ScratchFolder {
    let path: String

    init(_ label: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func video(_ name: String) -> String { path + "/" + name + ".flv" }
    func xml(_ name: String) -> String { path + "/" + name + ".xml" }
    func exists(_ file: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + file) }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// What a finished chat XML holds, parsed by a real XML parser.
struct ParsedDanmakuXML {
    struct Chat: Equatable, CustomStringConvertible {
        var time: String
        var text: String
        var description: String { "\(text)@\(time)" }
    }

    var chat: [Chat] = []
    var specials: [String] = []
    var comments: [String] = []

    init(path: String) throws {
        let document = try XMLDocument(contentsOf: URL(fileURLWithPath: path))
        for node in document.rootElement()?.children ?? [] {
            if node.kind == .comment {
                comments.append((node.stringValue ?? "").trimmingCharacters(in: .whitespaces))
            } else if let element = node as? XMLElement {
                if element.name == "d" {
                    let p = element.attribute(forName: "p")?.stringValue ?? ""
                    chat.append(Chat(time: String(p.split(separator: ",").first ?? ""), text: element.stringValue ?? ""))
                } else {
                    specials.append(element.name ?? "")
                }
            }
        }
    }
}

/// Chat stamped at chosen instants: seconds after a fixed base on the reference-date clock.
enum ChatTime {
    static let base = 770_000_000.0

    static func date(_ at: Double) -> Date { Date(timeIntervalSinceReferenceDate: base + at) }

    /// `at` as the XML header writes it.
    static func iso(_ at: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date(at))
    }

    static func message(_ text: String, at: Double, kind: DanmakuMessage.Kind = .chat) -> DanmakuMessage {
        DanmakuMessage(kind: kind, text: text, userName: "viewer", uid: 7, receivedAt: date(at),
                       count: kind == .gift ? 1 : 0, giftName: kind == .gift ? "flower" : "")
    }
}
