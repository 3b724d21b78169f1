import BiliupStore
import Foundation

// after_upload: what happens to a session's files once Bilibili accepted its archive, and only then.
extension Engine {
    func applyAfterUpload(_ archive: ArchiveRecord, _ parts: [ArchivePartRecord]) {
        guard archive.state == .submitted, let template = uploadTemplate(named: archive.template) else { return }
        let files = parts.flatMap { Self.filesOf($0.path) }
        switch template.afterUpload {
        case .keep:
            return
        case .delete:
            var failures: [String] = []
            for file in files {
                do { try FileManager.default.removeItem(atPath: file) } catch { failures.append("\(file): \(error.localizedDescription)") }
            }
            report(archive, done: "deleted \(files.count) file(s)", failures)
        case .move(let folder):
            guard let target = moveTarget(folder, template: template) else {
                return publish(EngineEvent(.error, level: .error, sessionId: archive.sessionId,
                                           message: "after_upload: move = \"\(folder)\": an API template may only move below the recordings folder, without \"..\"; files kept"))
            }
            var failures: [String] = []
            do { try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true) } catch {
                return report(archive, done: "", ["\(target): \(error.localizedDescription)"])
            }
            for file in files {
                let destination = (target as NSString).appendingPathComponent((file as NSString).lastPathComponent)
                do { try FileManager.default.moveItem(atPath: file, toPath: destination) } catch {
                    failures.append("\(file): \(error.localizedDescription)")
                }
            }
            report(archive, done: "moved \(files.count) file(s) to \(target)", failures)
        }
    }

    /// A segment and what belongs to it: the recorder's report beside it and its danmaku file, if any.
    private static func filesOf(_ path: String) -> [String] {
        let danmaku = (path as NSString).deletingPathExtension + ".xml"
        return [path, path + ".json", danmaku].filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// main.lua is the operator's and may name any folder; the API's templates stay below the recordings root.
    private func moveTarget(_ folder: String, template: UploadTemplate) -> String? {
        if folder.split(separator: "/").contains("..") { return nil }
        if folder.hasPrefix("/") { return template.origin == .script ? folder : nil }
        return (config.global.recordingsRoot as NSString).appendingPathComponent(folder)
    }

    private func report(_ archive: ArchiveRecord, done: String, _ failures: [String]) {
        if failures.isEmpty {
            publish(EngineEvent(.state, sessionId: archive.sessionId, message: "after_upload of \"\(archive.title)\": \(done)", data: archiveData(archive)))
        } else {
            publish(EngineEvent(.error, level: .error, sessionId: archive.sessionId,
                                message: "after_upload of \"\(archive.title)\": \(failures.joined(separator: "; "))", data: archiveData(archive)))
        }
    }
}
