import BiliupScript
import BiliupStore
import Foundation

/// Where every event goes besides subscribers: the log, the store, main.lua's hooks.
public enum EventSinks {
    /// One line per event on standard error (debug events only with `verbose`).
    public static func log(verbose: Bool) -> EventBus.Sink {
        { event in
            guard !event.isLiveOnly, verbose || event.level != .debug else { return }
            let time = ISO8601DateFormatter.string(from: event.at, timeZone: .current, formatOptions: [.withTime, .withColonSeparatorInTime])
            let who = event.streamer.map { "[\($0)] " } ?? ""
            FileHandle.standardError.write(Data("\(time) \(event.level.rawValue) \(event.kind.rawValue): \(who)\(event.message)\n".utf8))
        }
    }

    /// Keeps events in the store (the store bounds how many).
    public static func store(_ store: Store) -> EventBus.Sink {
        { event in
            guard !event.isLiveOnly else { return }
            do { try store.append([EventRecord(event)]) } catch {
                FileHandle.standardError.write(Data("error: cannot keep an event in the store: \(error)\n".utf8))
            }
        }
    }

    /// Hands hook events to main.lua's `biliup.on` handlers, one event after the other; a failing
    /// handler is reported on the log, never back on the bus (a failing error hook must not loop).
    public static func hooks(_ script: MainScript) -> EventBus.Sink {
        { event in
            guard event.isHookable else { return }
            for error in await script.emit(event.kind.rawValue, event.hookPayload) {
                FileHandle.standardError.write(Data("error: hook: \(error)\n".utf8))
            }
        }
    }
}
