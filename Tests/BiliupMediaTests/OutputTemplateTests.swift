@testable import BiliupMedia
import BiliupTestSupport
import Foundation
import Testing

/// Where recorded files go, against real folders: templates that would leave the recordings root are
/// refused, placeholder values cannot add folders or hide files, names fit in 200 bytes, and nothing that
/// exists (a file, a link, a folder link) is overwritten or followed.
@Suite struct OutputTemplateTests {
    /// A fresh recordings root and, beside it (outside the root), a folder an attacker would aim at.
    static func folders() throws -> (root: URL, outside: URL, cleanup: () -> Void) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("biliup-output-\(UUID().uuidString)")
        let root = base.appendingPathComponent("recordings")
        let outside = base.appendingPathComponent("outside")
        for d in [root, outside] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        return (root, outside, { try? FileManager.default.removeItem(at: base) })
    }

    /// Everything below `dir`, relative, sorted.
    static func tree(_ dir: URL) -> [String] {
        ((FileManager.default.subpaths(atPath: dir.path)) ?? []).sorted()
    }

    static let date = Date(timeIntervalSince1970: 1_700_000_000)
    static var year: String { String(Calendar.current.component(.year, from: date)) }

    @Test(arguments: [
        ("../escape/{title}", "\"..\""),
        ("{streamer}/../../escape", "\"..\""),
        ("/etc/cron.d/{title}", "must be relative"),
        ("a\u{0}b", "NUL"),
        ("a\nb/{title}", "control characters (found U+000A)"),
        ("{title}\u{7}", "U+0007"),
        ("{title}_%5000Y", "strftime cannot expand it"),
        ("{title}%n", "after strftime"),
        ("x/%t{title}", "after strftime"),
        ("", "must not be empty"),
        ("{streamer}/", "must end with a file name"),
        ("{streamer}/.", "must end with a file name"),
        (String(repeating: "a", count: 1025), "longer than 1024 bytes"),
    ])
    func templatesThatLeaveTheRootOrCannotBeExpandedAreRefused(pattern: String, why: String) throws {
        let problem = try #require(OutputTemplate.problem(in: pattern), "accepted \(pattern.debugDescription)")
        #expect(problem.description.contains(why), "\(problem)")
        // The recorder refuses them too (a template that reached it some other way), creating nothing.
        let (root, outside, cleanup) = try Self.folders()
        defer { cleanup() }
        #expect(throws: MediaError.self) {
            try OutputTemplate(root: root.path, pattern: pattern).createFile(values: ["title": "t", "streamer": "s"], ext: "flv")
        }
        #expect(Self.tree(root).isEmpty && Self.tree(outside).isEmpty && Self.tree(root.deletingLastPathComponent()) == ["outside", "recordings"])
    }

    @Test func ordinaryTemplatesAreAccepted() {
        for ok in ["{streamer}/{streamer}_%Y-%m-%d_%H-%M-%S_{title}", "%Y/%D/{title}", "./{title}", "a//b/{title}", "..hidden{title}", "100%%{title}"] {
            #expect(OutputTemplate.problem(in: ok) == nil, "\(ok)")
        }
    }

    /// strftime runs on the template before the values go in: a title's `%D` or `%n` stays text, and a
    /// value that spells a placeholder is not filled in again.
    @Test func strftimeRunsBeforeThePlaceholdersAreFilledIn() throws {
        let t = OutputTemplate(root: "/unused", pattern: "{streamer}/%Y_{title}")
        let name = try t.expand(values: ["streamer": "alice", "title": "%D %n {streamer} 50% a/b\\c\nd\u{2028}e"], date: Self.date)
        #expect(name.folders == ["alice"])
        #expect(name.stem == "\(Self.year)__D _n {streamer} 50_ a_b_c_d_e")
    }

    @Test func dotNamesGiveDistinctVisibleFoldersInsideTheRoot() throws {
        let (root, _, cleanup) = try Self.folders()
        defer { cleanup() }
        let t = OutputTemplate(root: root.path, pattern: "{streamer}/{title}")
        var paths: [String] = []
        for name in [".", "..", "...", ".hidden", ""] {
            let file = try t.createFile(values: ["streamer": name, "title": name], ext: "flv")
            paths.append(file.partPath)
        }
        #expect(paths == ["_/_.flv.part", "__/__.flv.part", "___/___.flv.part", "_hidden/_hidden.flv.part", "_/__1.flv.part"]
                            .map { root.path + "/" + $0 }, "\(paths)")
        #expect(Set(Self.tree(root).filter { !$0.contains("/") }) == ["_", "__", "___", "_hidden"])
        for p in paths { #expect(p.hasPrefix(root.path + "/") && !p.dropFirst(root.path.count).contains("/.")) }
    }

    /// 200 CJK characters are 600 bytes, 200 emoji far more: names are cut to 200 bytes on a character
    /// boundary (the stem leaves room for `_999`, the extension and `.part`), and the file is created.
    @Test(arguments: [String(repeating: "直播", count: 100), String(repeating: "👩‍💻", count: 200), String(repeating: "é", count: 300)])
    func longTitlesAreCutInBytesOnACharacterBoundary(title: String) throws {
        let (root, _, cleanup) = try Self.folders()
        defer { cleanup() }
        let t = OutputTemplate(root: root.path, pattern: "{title}/{streamer}_{title}")
        let file = try t.createFile(values: ["title": title, "streamer": "s"], ext: "mkv")
        let names = file.partPath.dropFirst(root.path.count + 1).split(separator: "/").map(String.init)
        #expect(names.count == 2)
        #expect(names.allSatisfy { $0.utf8.count <= OutputTemplate.maxComponentBytes }, "\(names.map(\.utf8.count))")
        #expect(title.hasPrefix(names[0]) && names[0].utf8.count > OutputTemplate.maxComponentBytes - 12)
        let stem = String(file.name.dropLast(".mkv".count))
        #expect(("s_" + title).hasPrefix(stem))
        #expect(("\(stem)_999.mkv.part").utf8.count <= OutputTemplate.maxComponentBytes)
        #expect(FileManager.default.fileExists(atPath: file.partPath))
    }

    /// A file of the same name that exists is never truncated: the new one gets `_1`; a name whose
    /// `.part` or report exists is taken too.
    @Test func existingFilesAreNeverOverwritten() throws {
        let (root, _, cleanup) = try Self.folders()
        defer { cleanup() }
        let dir = root.appendingPathComponent("alice")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let precious = Data("ssh-ed25519 AAAA precious\n".utf8)
        try precious.write(to: dir.appendingPathComponent("room.flv"))
        try precious.write(to: dir.appendingPathComponent("room_1.flv.part"))
        try precious.write(to: dir.appendingPathComponent("room_2.flv.json"))
        let t = OutputTemplate(root: root.path, pattern: "{streamer}/{title}")
        let file = try t.createFile(values: ["streamer": "alice", "title": "room"], ext: "flv")
        #expect(file.name == "room_3.flv")
        for name in ["room.flv", "room_1.flv.part", "room_2.flv.json"] {
            #expect(FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) == precious, "\(name)")
        }
    }

    /// Links planted where a recording would go are not followed: a link at the file's name (or its
    /// `.part`, even a dangling one) makes the name taken; a link in place of a folder is refused.
    @Test func plantedSymbolicLinksAreNotFollowed() throws {
        let (root, outside, cleanup) = try Self.folders()
        defer { cleanup() }
        let victim = outside.appendingPathComponent("authorized_keys")
        try Data("keep me\n".utf8).write(to: victim)
        let dir = root.appendingPathComponent("alice")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("room.flv.part").path, withDestinationPath: victim.path)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("room_1.flv").path, withDestinationPath: victim.path)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("room_2.flv.part").path,
                                                   withDestinationPath: outside.appendingPathComponent("new").path)
        let t = OutputTemplate(root: root.path, pattern: "{streamer}/{title}")
        let file = try t.createFile(values: ["streamer": "alice", "title": "room"], ext: "flv")
        #expect(file.name == "room_3.flv")
        #expect(FileManager.default.contents(atPath: victim.path) == Data("keep me\n".utf8))
        #expect(Self.tree(outside) == ["authorized_keys"])

        // A folder swapped for a link to somewhere else.
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("bob").path, withDestinationPath: outside.path)
        do {
            _ = try t.createFile(values: ["streamer": "bob", "title": "room"], ext: "flv")
            Issue.record("followed a link out of the root")
        } catch {
            #expect(error.description == "\(root.path)/bob is a symbolic link: recordings are written only into real folders below \(root.path)")
        }
        #expect(Self.tree(outside) == ["authorized_keys"])
    }

    /// The search for a free name ends after `maxUniqueTries` with an error that says what to do.
    @Test func theSearchForAFreeNameIsBounded() throws {
        let (root, _, cleanup) = try Self.folders()
        defer { cleanup() }
        for n in 0..<OutputTemplate.maxUniqueTries {
            FileManager.default.createFile(atPath: root.appendingPathComponent(n == 0 ? "room.flv" : "room_\(n).flv").path, contents: nil)
        }
        do {
            _ = try OutputTemplate(root: root.path, pattern: "{title}").createFile(values: ["title": "room"], ext: "flv")
            Issue.record("found a name among taken ones")
        } catch {
            #expect(error.description.contains("no free file name after 1000 tries"), "\(error)")
            #expect(error.description.contains("move finished recordings away"), "\(error)")
        }
        #expect(Self.tree(root).count == OutputTemplate.maxUniqueTries)
    }

    /// The writers create their files; they never open one that exists (the old O_TRUNC replaced it).
    @Test func writersNeverOpenAnExistingFile() throws {
        let (root, _, cleanup) = try Self.folders()
        defer { cleanup() }
        let tracks = try FlvDemuxer(source: FileByteSource(path: try TestMedia.flv(seconds: 1).path)).tracks
        let precious = Data("precious\n".utf8)
        for (name, make) in [("a.flv", { (p: String) throws(MediaError) in _ = try FlvWriter(path: p, tracks: tracks) }),
                             ("a.mkv", { (p: String) throws(MediaError) in _ = try LibavMuxer(path: p, tracks: tracks, format: .mkv) }),
                             ("a.bin", { (p: String) throws(MediaError) in _ = try MediaFile(path: p) })] {
            let path = root.appendingPathComponent(name).path
            try precious.write(to: URL(fileURLWithPath: path))
            do {
                try make(path)
                Issue.record("\(name): opened an existing file")
            } catch {
                #expect(error.description == "cannot create \(path): File exists")
            }
            #expect(FileManager.default.contents(atPath: path) == precious, "\(name)")
        }
    }

    /// A finished segment is renamed only if its name is still free; a file that appeared meanwhile stays.
    @Test func finishingNeverReplacesAFileThatAppeared() throws {
        let (root, _, cleanup) = try Self.folders()
        defer { cleanup() }
        let file = try OutputTemplate(root: root.path, pattern: "{title}").createFile(values: ["title": "room"], ext: "flv")
        try Data("appeared".utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: MediaError.self) { try file.rename() }
        #expect(FileManager.default.contents(atPath: file.path) == Data("appeared".utf8))
        #expect(FileManager.default.fileExists(atPath: file.partPath))
    }

    /// `download -o`: the leading fixed folders are the root (any folder: it is the user's own command
    /// line); `..` and control characters are still refused.
    @Test func commandLineOutputsChooseTheirOwnRoot() throws {
        let abs = try OutputTemplate(commandLine: "/data/rec/{title}_%Y/{index}")
        #expect(abs.root == "/data/rec" && abs.pattern == "{title}_%Y/{index}")
        let rel = try OutputTemplate(commandLine: "out/sub/{title}")
        #expect(rel.root == "out/sub" && rel.pattern == "{title}")
        let bare = try OutputTemplate(commandLine: "{title}")
        #expect(bare.root == "." && bare.pattern == "{title}")
        let plain = try OutputTemplate(commandLine: "/tmp/x")
        #expect(plain.root == "/tmp" && plain.pattern == "x")
        for bad in ["out/../x/{title}", "../{title}", "out/a\u{0}b", "out/a\nb/{title}", "out/{title}%5000Y", "out/"] {
            #expect(throws: TemplateProblem.self, "\(bad.debugDescription)") { try OutputTemplate(commandLine: bad) }
        }
    }
}
