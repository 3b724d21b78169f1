import BiliupMedia
import BiliupScript
import BiliupStore
import BiliupValues
import Foundation

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
        self.init(name: d.name, urls: d.urls, origin: .script, options: d.options, template: d.template,
                  schedule: d.schedule.map(\.description), titleInclude: d.titleInclude, titleExclude: d.titleExclude,
                  overrides: overrides, danmaku: d.danmaku,
                  danmakuDetail: d.danmakuDetail, danmakuASS: d.danmakuASS)
    }
}

extension EventRecord {
    init(_ e: EngineEvent) {
        self.init(at: e.at, kind: e.kind.rawValue, level: EventLevel(rawValue: e.level.rawValue) ?? .info, streamerId: e.streamerId,
                  sessionId: e.sessionId, message: e.message, data: e.data)
    }
}

extension SegmentReport {
    /// The report as the store keeps it and hooks receive it: the keys and values of its Codable form
    /// (dates as Foundation's default encoding writes them), built directly, once per segment.
    public var jsonObject: [String: JSONValue] {
        var object: [String: JSONValue] = [
            "file": .string(file), "format": .string(format), "startedAt": .number(startedAt.timeIntervalSinceReferenceDate),
            "tracks": .array(tracks.map(JSONValue.string)), "duration": .number(duration),
            "firstTimestamp": .number(firstTimestamp), "lastTimestamp": .number(lastTimestamp),
            "videoFrames": .int(Int64(videoFrames)), "audioFrames": .int(Int64(audioFrames)), "keyframes": .int(Int64(keyframes)),
            "bytes": .int(bytes),
            "timestampFixes": .array(timestampFixes.map {
                .object(["at": .number($0.at), "track": .string($0.track), "kind": .string($0.kind), "deltaMs": .int($0.deltaMs)])
            }),
            "reconnects": .array(reconnects.map {
                .object(["at": .number($0.at), "reason": .string($0.reason), "repeatedFramesDropped": .int(Int64($0.repeatedFramesDropped))])
            }),
            "gaps": .array(gaps.map { .object(["at": .number($0.at), "what": .string($0.what)]) }),
            "startReason": .string(startReason), "endReason": .string(endReason),
            "framesBeforeKeyframeDropped": .int(Int64(framesBeforeKeyframeDropped)),
        ]
        if let danmaku { object["danmaku"] = .object(danmaku.jsonObject) }
        return object
    }
}

extension SegmentReport.Danmaku {
    /// As its Codable form has it (`ass` left out when there is none).
    public var jsonObject: [String: JSONValue] {
        var object: [String: JSONValue] = [
            "file": .string(file), "messages": .int(Int64(messages)), "dropped": .int(Int64(dropped)), "offset": .number(offset),
            "gaps": .array(gaps.map { .object(["at": .number($0.at), "seconds": .number($0.seconds), "reason": .string($0.reason)]) }),
        ]
        if let ass { object["ass"] = .string(ass) }
        if let programDateTime { object["programDateTime"] = .number(programDateTime.timeIntervalSinceReferenceDate) }
        if let latency { object["latency"] = .number(latency) }
        return object
    }

    /// Where a companion file named in the report is: beside the video when the report names it alone.
    public static func path(of file: String, besideVideo video: String) -> String {
        file.hasPrefix("/") ? file : ((video as NSString).deletingLastPathComponent as NSString).appendingPathComponent(file)
    }
}
