import BiliupScript
import BiliupStore
import BiliupValues
import Foundation

extension JSONValue {
    public init(_ v: ScriptValue) {
        switch v {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(Int64(i))
        case .double(let d): self = .number(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.map(JSONValue.init))
        case .object(let o): self = .object(o.mapValues(JSONValue.init))
        }
    }
}

extension StreamerRecord {
    /// The row main.lua's declaration keeps in the store (origin "script").
    init(declaration d: StreamerDeclaration) {
        var overrides: [String: JSONValue] = [:]
        let o = d.overrides
        if let v = o.output { overrides["output"] = .string(v) }
        if let v = o.format { overrides["format"] = .string(v) }
        if let v = o.splitSeconds { overrides["split_time"] = .number(v) }
        if let v = o.splitBytes { overrides["split_size"] = .int(v) }
        if let v = o.checkInterval { overrides["check_interval"] = .number(v) }
        if let v = o.delay { overrides["delay"] = .number(v) }
        if let v = o.minSegmentBytes { overrides["min_segment_size"] = .int(v) }
        self.init(name: d.name, urls: d.urls, origin: .script, options: d.options.mapValues(JSONValue.init), template: d.template,
                  schedule: d.schedule.map(\.description), titleInclude: d.titleInclude, titleExclude: d.titleExclude,
                  overrides: overrides, danmaku: d.danmaku)
    }
}

extension EventRecord {
    init(_ e: EngineEvent) {
        self.init(at: e.at, kind: e.kind.rawValue, level: EventLevel(rawValue: e.level.rawValue) ?? .info, streamerId: e.streamerId,
                  sessionId: e.sessionId, message: e.message, data: e.data.mapValues(JSONValue.init))
    }
}
