import BiliupScript
import BiliupStore
import Foundation

/// Where every event goes besides subscribers and the log (the executable's): the store, main.lua's hooks.
public enum EventSinks {
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
