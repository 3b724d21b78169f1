import BiliupScript
import BiliupStore
import Foundation

// main.lua as a client of the engine: the same commands the API runs, by streamer name.
extension Engine: EngineControl {
    public func scriptStatus() async -> ScriptValue {
        let now = status()
        var streamers: [String: ScriptValue] = [:]
        for (name, watch) in watches {
            let runtime = runtime(named: name)
            var entry: [String: ScriptValue] = ["phase": .string(runtime.phase.rawValue), "paused": .bool(watch.paused)]
            if let p = runtime.recording {
                entry["file"] = p.file.map(ScriptValue.string) ?? .null
                entry["bytes"] = .int(Int(p.bytes))
                entry["duration"] = .double(p.duration)
                entry["reconnects"] = .int(p.reconnects)
            }
            if let e = runtime.lastError { entry["last_error"] = .string(e) }
            if let r = runtime.refusal { entry["refusal"] = .string(r) }
            streamers[name] = .object(entry)
        }
        var disk: [String: ScriptValue] = ["path": .string(now.diskPath)]
        if let free = now.diskFree { disk["free"] = .int(Int(free)) }
        if let total = now.diskTotal { disk["total"] = .int(Int(total)) }
        return .object([
            "started_at": .double(now.startedAt.timeIntervalSince1970),
            "streamers": .object(streamers),
            "recordings": .int(now.recordings.count),
            "queue": .array(now.queue.map(ScriptValue.string)),
            "disk": .object(disk),
        ])
    }

    public func run(_ command: StreamerCommand, streamer name: String) async -> Result<ScriptValue, EngineControlError> {
        do throws(EngineError) {
            let stored: StreamerRecord?
            do { stored = try store.streamer(named: name) } catch { throw EngineError(error) }
            guard let id = stored?.id, watches[name] != nil else { throw EngineError(.notFound, "no streamer named '\(name)' is watched") }
            switch command {
            case .pause: _ = try pause(id: id)
            case .resume: _ = try resume(id: id)
            case .start: _ = try start(id: id)
            case .stop: _ = try stop(id: id)
            }
            return .success(.string(runtime(named: name).phase.rawValue))
        } catch {
            return .failure(EngineControlError(error.message))
        }
    }
}
