import BiliupStore
import Synchronization

/// The parts of one session UPOS has accepted, kept in memory and, with a store, in `uploadPart` as
/// soon as each PUT succeeds, so that a killed upload resumes without them.
final class PartLedger: Sendable {
    private let store: Store?
    private let uploadFileId: Int64?
    private let accepted: Mutex<[Int: UploadPart]>

    init(store: Store?, uploadFileId: Int64?, resumed: [UploadPart]) {
        self.store = uploadFileId == nil ? nil : store
        self.uploadFileId = uploadFileId
        accepted = Mutex(Dictionary(resumed.map { ($0.partNumber, $0) }, uniquingKeysWith: { $1 }))
    }

    /// Records an accepted part and hands `accepted` the bytes accepted so far. `accepted` runs under
    /// the ledger's lock, so that parallel chunks report rising totals.
    func record(_ part: UploadPart, accepted report: (Int64) -> Void) throws(UploadError) {
        if let store, let uploadFileId {
            do {
                try store.saveUploadPart(UploadPartRecord(uploadFileId: uploadFileId, partNumber: part.partNumber,
                                                          eTag: part.eTag, bytes: part.bytes))
            } catch {
                throw UploadError(.file, "recording part \(part.partNumber)", "the store refused it: \(error)")
            }
        }
        accepted.withLock { parts in
            parts[part.partNumber] = part
            report(parts.values.reduce(0) { $0 + $1.bytes })
        }
    }

    func contains(partNumber: Int) -> Bool { accepted.withLock { $0[partNumber] != nil } }

    var bytes: Int64 { accepted.withLock { $0.values.reduce(0) { $0 + $1.bytes } } }

    /// By part number, as the complete call lists them.
    var parts: [UploadPart] { accepted.withLock { $0.values.sorted { $0.partNumber < $1.partNumber } } }
}
