import BiliupMedia
import BiliupScript
import BiliupStore
import BiliupValues
import Foundation

// What the engine is doing, for the API: status, progress, and the global options in effect.
extension Engine {
    public func status() -> EngineStatus {
        let root = config.global.recordingsRoot
        let disk = diskGuard
        let recordings = watches.values.filter { $0.recording != nil }.map { $0.progress ?? progress(of: $0, previous: nil) }
        return EngineStatus(startedAt: startedAt, streamers: watches.count, recordings: recordings.sorted { $0.streamer < $1.streamer },
                            queue: queue, diskPath: root, diskFree: disk.freeBytes(), diskTotal: disk.totalBytes())
    }

    /// Samples every recording, keeps the sample for the API and publishes it as a `progress` event.
    func reportProgress() {
        for watch in watches.values where watch.recording != nil {
            let p = progress(of: watch, previous: watch.progress)
            watch.progress = p
            publish(EngineEvent(.progress, level: .debug, streamer: watch.name, sessionId: p.sessionId,
                                message: "\(p.file.map { ($0 as NSString).lastPathComponent } ?? "connecting"): \(p.bytes) bytes, \(Int(p.duration)) s",
                                data: ["file": p.file.map(JSONValue.string) ?? .null, "bytes": .int(Int64(p.bytes)), "duration": .number(p.duration),
                                       "bitrate": .number(p.bitrate), "reconnects": .int(Int64(p.reconnects))]))
        }
    }

    /// A recording's progress now; the bitrate is measured since `previous` (or since it started).
    func progress(of watch: StreamerWatch, previous: RecordingProgress?) -> RecordingProgress {
        let now = Date()
        guard let s = watch.recording?.recording.status else {
            return RecordingProgress(streamer: watch.name, streamerId: watch.streamerId, sessionId: watch.sessionId, file: nil, bytes: 0,
                                     duration: 0, bitrate: 0, startedAt: now, reconnects: 0, measuredAt: now)
        }
        let since = previous?.measuredAt ?? s.startedAt
        let elapsed = now.timeIntervalSince(since)
        let bytes = s.writtenBytes - (previous?.bytes ?? 0)
        let bitrate = elapsed > 0.5 ? Double(max(0, bytes)) * 8 / elapsed : previous?.bitrate ?? 0
        return RecordingProgress(streamer: watch.name, streamerId: watch.streamerId, sessionId: watch.sessionId, file: s.currentFile,
                                 bytes: s.writtenBytes, duration: s.mediaSeconds, bitrate: bitrate, startedAt: s.startedAt,
                                 reconnects: s.reconnects, measuredAt: now)
    }

    /// The global options in effect, each with where its value comes from.
    public func globalSettings() -> GlobalSettingsView {
        let defaults = GlobalSettings.values(GlobalOptions())
        let script = GlobalSettings.values(scriptGlobal)
        var sources: [String: GlobalSettingsView.Source] = [:]
        for key in GlobalSettings.keys {
            sources[key] = apiSettings[key] != nil ? .api : script[key] != defaults[key] ? .script : .default
        }
        let g = config.global
        return GlobalSettingsView(values: GlobalSettings.values(g), sources: sources,
                                  readOnly: ["data_dir": .string(g.dataDir), "recordings_root": .string(g.recordingsRoot), "server_bind": .string(g.serverBind),
                                             "server_port": .int(Int64(g.serverPort)), "check_rate": .number(g.defaultCheckRate),
                                             "main_lua": .string(config.file)])
    }

    /// Sets (or, with null, clears) global options through the API; they apply at once to what starts
    /// next (new recordings, next checks) and are kept in the store.
    public func updateGlobalSettings(_ changes: [String: JSONValue]) throws(EngineError) -> GlobalSettingsView {
        let normalised = try GlobalSettings.normalised(changes)
        do { try store.updateSettings(normalised) } catch { throw EngineError(error) }
        for (key, value) in normalised {
            // Not `apiSettings[key] = nil`-by-literal: JSONValue is nil-literal expressible, and that stores .null.
            if value == .null { apiSettings.removeValue(forKey: key) } else { apiSettings[key] = value }
        }
        config.global = GlobalSettings.applying(apiSettings, to: scriptGlobal)
        addressPolicy.blocksPrivateAddresses = config.global.blockPrivateAddresses
        updateRooms()
        startQueued()
        publish(EngineEvent(.config, message: "global options changed through the API: \(normalised.keys.sorted().joined(separator: ", "))"))
        return globalSettings()
    }
}

extension Engine {
    /// The plugins as `biliup plugins --json` shows them: their names, patterns and options, and the
    /// files that failed to load (read again from disk).
    public nonisolated func pluginCatalog() async -> JSONValue {
        let catalog = await checker.catalog()
        guard let data = try? JSONEncoder().encode(catalog), let value = try? JSONDecoder().decode(JSONValue.self, from: data) else { return .null }
        return value
    }
}
