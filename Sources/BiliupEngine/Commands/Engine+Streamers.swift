import BiliupScript
import BiliupStore
import Foundation

// The engine's commands for streamers: what the API (and any other client) may ask.
extension Engine {
    /// A streamer as stored, with what it is doing now.
    public func streamer(id: Int64) throws(EngineError) -> (StreamerRecord, StreamerRuntime) {
        let record = try stored(id)
        return (record, runtime(named: record.name))
    }

    /// Every streamer (by name) with what it is doing now.
    public func streamers() throws(EngineError) -> [(StreamerRecord, StreamerRuntime)] {
        let records: [StreamerRecord]
        do { records = try store.streamers() } catch { throw EngineError(error) }
        return records.map { ($0, runtime(named: $0.name)) }
    }

    /// Adds a streamer of the API's (`origin` is set to `.api`); it is watched at once.
    public func addStreamer(_ record: StreamerRecord) throws(EngineError) -> StreamerRecord {
        var record = try StreamerValidation.normalised(record)
        record.id = nil
        record.origin = .api
        if config.streamers.contains(where: { $0.name == record.name }) {
            throw EngineError(.conflict, "streamer '\(record.name)' is declared in \(config.file)")
        }
        do { record = try store.saveStreamer(record) } catch { throw EngineError(error) }
        apiStreamers.append(StreamerValidation.declaration(record))
        try reconcile()
        publish(EngineEvent(.state, streamer: record.name, message: "added through the API; watching \(record.urls.joined(separator: ", "))"))
        scheduler.checkSoon(streamer: record.name)
        return record
    }

    /// Replaces an API streamer's fields (its id, origin, pause state and dates are kept). A recording
    /// in progress goes on; the change applies to the next one. Renaming a streamer while it records is
    /// refused: its files and session are under the old name.
    public func updateStreamer(id: Int64, _ record: StreamerRecord) throws(EngineError) -> StreamerRecord {
        let old = try stored(id)
        try requireAPIOwned(old)
        var record = try StreamerValidation.normalised(record)
        record.id = id
        record.origin = .api
        record.paused = old.paused
        if record.name != old.name {
            if watches[old.name]?.recording != nil || watches[old.name]?.sessionId != nil {
                throw EngineError(.conflict, "streamer '\(old.name)' is recording; stop it before renaming it")
            }
            if config.streamers.contains(where: { $0.name == record.name }) {
                throw EngineError(.conflict, "streamer '\(record.name)' is declared in \(config.file)")
            }
        }
        do { record = try store.saveStreamer(record) } catch { throw EngineError(error) }
        apiStreamers.removeAll { $0.name == old.name }
        apiStreamers.append(StreamerValidation.declaration(record))
        try reconcile()
        publish(EngineEvent(.state, streamer: record.name, message: "changed through the API"))
        return record
    }

    /// Deletes an API streamer: its recording (if any) finishes and its history stays.
    public func removeStreamer(id: Int64) throws(EngineError) {
        let old = try stored(id)
        try requireAPIOwned(old)
        publish(EngineEvent(.state, streamer: old.name, message: "removed through the API"))
        apiStreamers.removeAll { $0.name == old.name }
        try reconcile()
        do { try store.deleteStreamer(id: id) } catch { throw EngineError(error) }
    }

    /// No checks and no recording until resumed; a running recording is closed. Kept in the store, so
    /// it holds across restarts and main.lua reloads.
    public func pause(id: Int64) throws(EngineError) -> StreamerRecord {
        var record = try stored(id)
        guard let watch = watches[record.name] else { throw EngineError(.notFound, "streamer \(id) is not watched") }
        guard !watch.paused else { return record }
        record.paused = true
        do { record = try store.saveStreamer(record) } catch { throw EngineError(error) }
        watch.paused = true
        queue.removeAll { $0 == record.name }
        watch.pendingCheck = nil
        updateRooms()
        if let recording = watch.recording {
            recording.recording.stop()  // the session ends when the recording has closed its files
        } else {
            endSession(watch, reason: "paused")
        }
        publish(EngineEvent(.state, streamer: record.name, message: "paused"))
        return record
    }

    /// Watches a paused streamer again, checking it soon.
    public func resume(id: Int64) throws(EngineError) -> StreamerRecord {
        var record = try stored(id)
        guard let watch = watches[record.name] else { throw EngineError(.notFound, "streamer \(id) is not watched") }
        guard watch.paused else { return record }
        record.paused = false
        do { record = try store.saveStreamer(record) } catch { throw EngineError(error) }
        watch.paused = false
        updateRooms()
        scheduler.checkSoon(streamer: record.name)
        publish(EngineEvent(.state, streamer: record.name, message: "resumed"))
        return record
    }

    /// Checks now and records if live, even outside the streamer's schedule or title filter (for this
    /// broadcast). Resumes a paused streamer and undoes a stop.
    public func start(id: Int64) throws(EngineError) -> StreamerRecord {
        var record = try stored(id)
        guard let watch = watches[record.name] else { throw EngineError(.notFound, "streamer \(id) is not watched") }
        guard watch.recording == nil else { throw EngineError(.conflict, "streamer '\(record.name)' is already recording") }
        if watch.paused { record = try resume(id: id) }
        watch.stopped = false
        watch.forced = true
        watch.refusal = nil
        scheduler.checkSoon(streamer: record.name)
        publish(EngineEvent(.state, streamer: record.name, message: "start requested: checking now"))
        return record
    }

    /// Closes the running recording (its files stay) and records nothing more of this broadcast; the
    /// streamer is recorded again after it was seen offline.
    public func stop(id: Int64) throws(EngineError) -> StreamerRecord {
        let record = try stored(id)
        guard let watch = watches[record.name] else { throw EngineError(.notFound, "streamer \(id) is not watched") }
        let queued = queue.contains(record.name)
        guard watch.recording != nil || queued else { throw EngineError(.conflict, "streamer '\(record.name)' is not recording") }
        watch.stopped = true
        watch.forced = false
        queue.removeAll { $0 == record.name }
        watch.pendingCheck = nil
        watch.recording?.recording.stop()
        publish(EngineEvent(.state, streamer: record.name, message: "stopped by the user; recorded again after the broadcast ends"))
        return record
    }

    /// What a streamer is doing now (idle for a name the engine does not watch).
    func runtime(named name: String) -> StreamerRuntime {
        guard let watch = watches[name] else { return StreamerRuntime(phase: .idle) }
        let phase: StreamerPhase
        if watch.recording != nil { phase = .recording }
        else if watch.paused { phase = .paused }
        else if watch.stopped { phase = .stopped }
        else if queue.contains(name) { phase = .queued }
        else if watch.waitingSince != nil { phase = .waiting }
        else { phase = .idle }
        return StreamerRuntime(phase: phase, recording: watch.recording == nil ? nil : watch.progress ?? progress(of: watch, previous: nil),
                               lastError: watch.lastError, refusal: watch.refusal)
    }

    private func stored(_ id: Int64) throws(EngineError) -> StreamerRecord {
        let record: StreamerRecord?
        do { record = try store.streamer(id: id) } catch { throw EngineError(error) }
        guard let record else { throw EngineError(.notFound, "streamer \(id) not found") }
        return record
    }

    private func requireAPIOwned(_ record: StreamerRecord) throws(EngineError) {
        guard record.origin == .api else {
            let line = config.streamers.first { $0.name == record.name }?.line
            throw EngineError(.declaredInScript, "streamer '\(record.name)' is declared in \(config.file)\(line.map { ":\($0)" } ?? ""); edit it there (the API can pause, resume, start and stop it)")
        }
    }
}
