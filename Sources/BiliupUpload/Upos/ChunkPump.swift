import Synchronization

/// Sends a session's missing chunks, `buffers.count` at a time: each worker owns one buffer, reads a
/// chunk into it with pread, sends it, resends it after a jittered pause when the failure is transient,
/// and takes the next chunk. The first failure that retries cannot fix stops all workers.
struct ChunkPump: Sendable {
    let calls: UposCalls
    let file: ChunkFile
    let fileName: String
    let ticket: UposTicket
    let uploadId: String
    let ledger: PartLedger
    let timing: UposTiming
    let events: @Sendable (UploadEvent) -> Void

    var chunkCount: Int { Int((file.size + ticket.chunkSize - 1) / ticket.chunkSize) }

    /// The chunks (0-based) the ledger does not hold yet.
    var missing: [Int] { (0..<chunkCount).filter { !ledger.contains(partNumber: $0 + 1) } }

    func run(_ chunks: [Int], buffers: [ChunkBuffer]) async -> SessionFailure? {
        let queue = ChunkQueue(chunks)
        return await withTaskGroup(of: SessionFailure?.self) { group in
            for buffer in buffers {
                group.addTask { await work(queue, buffer) }
            }
            var first: SessionFailure?
            for await failure in group {
                if let failure, first == nil {
                    first = failure
                    group.cancelAll()
                }
            }
            return first
        }
    }

    private func work(_ queue: ChunkQueue, _ buffer: ChunkBuffer) async -> SessionFailure? {
        while let index = queue.next() {
            if Task.isCancelled { return .failed(UploadError(.cancelled, fileName, "cancelled")) }
            do throws(SessionFailure) {
                try await send(index, buffer)
            } catch {
                return error
            }
        }
        return nil
    }

    private func send(_ index: Int, _ buffer: ChunkBuffer) async throws(SessionFailure) {
        let offset = Int64(index) * ticket.chunkSize
        let chunk = ChunkPlan(index: index, count: chunkCount, offset: offset,
                              length: Int(min(ticket.chunkSize, file.size - offset)), total: file.size)
        do throws(UploadError) {
            try file.read(into: buffer.bytes, offset: offset, count: chunk.length)
        } catch {
            throw .failed(error)
        }
        var retry = 0
        while true {
            switch await calls.put(ticket, uploadId: uploadId, chunk: chunk, body: UnsafeRawBufferPointer(buffer.bytes),
                                   fileName: fileName) {
            case .success(let eTag):
                do throws(UploadError) {
                    try ledger.record(UploadPart(partNumber: index + 1, eTag: eTag, bytes: Int64(chunk.length))) { sent in
                        events(.progress(sent: sent, total: file.size))
                    }
                } catch {
                    throw .failed(error)
                }
                return
            case .failure(.failed(let error)) where error.isTransient && retry < timing.chunkRetries && !Task.isCancelled:
                retry += 1
                events(.retrying(chunk: index, error))
                do throws(UploadError) {
                    try await UposPause.sleep(timing.chunkRetryWait(retry: retry))
                } catch {
                    throw .failed(error)
                }
            case .failure(let failure):
                throw failure
            }
        }
    }
}

/// The chunks still to be taken by a worker, in file order.
final class ChunkQueue: Sendable {
    private let remaining: Mutex<ArraySlice<Int>>

    init(_ chunks: [Int]) { remaining = Mutex(chunks[...]) }

    func next() -> Int? { remaining.withLock { $0.popFirst() } }
}
