import BiliupScript
import BiliupStore
import BiliupValues
import Foundation

// main.lua as a client of the engine: the same commands the API runs, by streamer name.
extension Engine: EngineControl {
    public func scriptStatus() async -> JSONValue {
        let now = status()
        var streamers: [String: JSONValue] = [:]
        for (name, watch) in watches {
            let runtime = runtime(named: name)
            var entry: [String: JSONValue] = ["phase": .string(runtime.phase.rawValue), "paused": .bool(watch.paused)]
            if let p = runtime.recording {
                entry["file"] = p.file.map(JSONValue.string) ?? .null
                entry["bytes"] = .int(Int64(p.bytes))
                entry["duration"] = .number(p.duration)
                entry["reconnects"] = .int(Int64(p.reconnects))
            }
            if let e = runtime.lastError { entry["last_error"] = .string(e) }
            if let r = runtime.refusal { entry["refusal"] = .string(r) }
            streamers[name] = .object(entry)
        }
        var disk: [String: JSONValue] = ["path": .string(now.diskPath)]
        if let free = now.diskFree { disk["free"] = .int(Int64(free)) }
        if let total = now.diskTotal { disk["total"] = .int(Int64(total)) }
        return .object([
            "started_at": .number(now.startedAt.timeIntervalSince1970),
            "streamers": .object(streamers),
            "recordings": .int(Int64(now.recordings.count)),
            "queue": .array(now.queue.map(JSONValue.string)),
            "disk": .object(disk),
        ])
    }

    public func run(_ command: StreamerCommand, streamer name: String) async -> Result<JSONValue, EngineControlError> {
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
