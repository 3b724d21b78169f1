import Foundation

/// Where one segment is written: `name.part`, created exclusively in its folder, renamed to `name` when
/// the segment is finished (never over a file that exists), with its report beside it in `name.json`.
final class SegmentFile {
    let directory: OutputDirectory
    /// The finished file's name in `directory`.
    let name: String
    /// The `.part` file, until a writer takes it.
    private(set) var part: CreatedFile?

    init(directory: OutputDirectory, name: String, part: CreatedFile) {
        self.directory = directory
        self.name = name
        self.part = part
    }

    var path: String { directory.pathOf(name) }
    var partName: String { name + Segmenter.partSuffix }
    var partPath: String { directory.pathOf(partName) }

    /// The first free name among `stem.ext`, `stem_1.ext`, … in `directory`, its `.part` created. A name
    /// is taken when the file, its `.part` or its report exists; the exclusive create decides, so a
    /// file that appears between the check and the create is not overwritten either.
    static func firstFree(in directory: OutputDirectory, stem: String, ext: String,
                          tries: Int = OutputTemplate.maxUniqueTries) throws(MediaError) -> SegmentFile {
        for n in 0..<tries {
            let name = n == 0 ? "\(stem).\(ext)" : "\(stem)_\(n).\(ext)"
            if directory.contains(name) || directory.contains(name + SegmentReport.sidecarSuffix) { continue }
            if let part = try directory.create(name + Segmenter.partSuffix) {
                return SegmentFile(directory: directory, name: name, part: part)
            }
        }
        throw .io("\(directory.pathOf(stem)).\(ext): no free file name after \(tries) tries (\(stem).\(ext) and "
                  + "\(stem)_1.\(ext) to \(stem)_\(tries - 1).\(ext) are taken); move finished recordings away or change the output template")
    }

    /// Exactly `path` (main.lua's remux destination), which must not exist; its folder is the operator's.
    static func exactly(_ path: String) throws(MediaError) -> SegmentFile {
        let directory = try OutputDirectory.operatorsFolder((path as NSString).deletingLastPathComponent, what: "the folder")
        let name = (path as NSString).lastPathComponent
        guard !directory.contains(name) else { throw .io("\(path) exists") }
        guard let part = try directory.create(name + Segmenter.partSuffix) else { throw .io("\(path)\(Segmenter.partSuffix) exists") }
        return SegmentFile(directory: directory, name: name, part: part)
    }

    /// The `.part` file for its writer, which closes it.
    func takePart() -> CreatedFile? {
        defer { part = nil }
        return part
    }

    /// The segment could not be started: its empty `.part` goes.
    func discard() {
        part = nil
        directory.remove(partName)
    }

    /// The finished segment under its own name.
    func rename() throws(MediaError) {
        try directory.renameNoReplace(partName, to: name)
    }

    /// Writes the report as `name.json`; an existing one is left alone.
    func writeSidecar(_ report: SegmentReport) throws {
        try directory.writeNew(name + SegmentReport.sidecarSuffix, try report.sidecarBytes())
    }
}
