/// The shapes of the API's answers (`components/schemas` of openapi.json), written once here beside
/// the DTOs they describe (Support/DTO.swift and the routes' answer types). OpenAPISchemaTests checks
/// real answers of a running server against them, so a DTO that changes without its schema fails there.
/// A key whose DTO field is a `Nullable` is required and nullable; one the encoder leaves out when
/// absent (a Swift optional) is not required.
enum APISchemas {
    static let time = Schema.number
    static let id = Schema.integer(minimum: 1)
    static let strings = Schema.array(.string())
    static let origin = Schema.string(oneOf: ["api", "script"])
    static let level = Schema.string(oneOf: ["debug", "info", "warn", "error"])

    static let components: [String: Schema] = [
        "Error": .object(["error": .object(["code": .string(), "message": .string()])]),
        "Recording": .object([
            "streamer": .string(), "streamer_id": .nullable(id), "session_id": .nullable(id), "file": .nullable(.string()),
            "bytes": .integer(), "duration": .number, "bitrate": .number, "started_at": time, "reconnects": .integer(),
        ]),
        "Streamer": .object([
            "id": id, "name": .string(), "urls": strings, "origin": origin, "options": .map(.any), "template": .nullable(.string()),
            "schedule": strings, "title_include": strings, "title_exclude": strings, "overrides": .map(.any), "danmaku": .boolean,
            "danmaku_detail": .boolean, "danmaku_ass": .boolean, "paused": .boolean, "state": .string(), "recording": .nullable(.ref("Recording")), "last_error": .nullable(.string()),
            "refusal": .nullable(.string()), "created_at": time, "updated_at": time,
        ]),
        "StreamerPage": page(of: "Streamer"),
        "Template": .object(["id": id, "name": .string(), "origin": origin, "fields": .map(.any), "created_at": time, "updated_at": time]),
        "TemplateList": items(of: "Template"),
        "Segment": .object([
            "id": id, "session_id": id, "file_name": .string(), "path": .string(), "state": .string(), "started_at": time,
            "ended_at": .nullable(time), "duration": .number, "bytes": .integer(), "file_url": .nullable(.string()),
            "removed_reason": .nullable(.string()), "report": .map(.any),
        ], optional: ["report"]),
        "Session": .object([
            "id": id, "streamer_id": .nullable(id), "streamer": .string(), "plugin": .string(), "url": .string(),
            "title": .nullable(.string()), "started_at": time, "ended_at": .nullable(time), "end_reason": .nullable(.string()),
            "bytes": .integer(), "duration": .number, "segment_count": .integer(), "segments": .array(.ref("Segment")),
        ]),
        "SessionPage": page(of: "Session"),
        "Event": .object([
            "id": id, "kind": .string(), "level": level, "streamer_id": .nullable(id), "session_id": .nullable(id),
            "message": .string(), "data": .map(.any), "timestamp": time,
        ]),
        "EventList": items(of: "Event"),
        // created_at is left out where the user comes from a login (GET /api/me).
        "User": .object(["id": id, "name": .string(), "admin": .boolean, "created_at": time], optional: ["created_at"]),
        "UserList": items(of: "User"),
        // The secret `token` is in the answer that creates the token only.
        "Token": .object([
            "id": id, "name": .string(), "user_id": id, "created_at": time, "expires_at": .nullable(time),
            "last_used_at": .nullable(time), "token": .string(),
        ], optional: ["token"]),
        "TokenList": items(of: "Token"),
        "Me": .object(["login_required": .boolean, "user": .nullable(.ref("User"))]),
        "LoginAnswer": .object(["token": .string(), "user": .ref("User"), "expires_at": time]),
        "Status": .object([
            "version": .string(), "started_at": time, "uptime": .number, "streamers": .integer(),
            "recordings": .array(.ref("Recording")), "queue": strings,
            "disk": .object(["path": .string(), "free": .nullable(.integer()), "total": .nullable(.integer())]),
        ]),
        "Health": .object(["status": .string(oneOf: ["starting", "running", "stopping", "stopped"]), "version": .string(), "uptime_s": .integer()]),
        "Config": .object([
            "options": .map(.any), "sources": .map(.string(oneOf: ["default", "script", "api"])), "editable": strings,
            "read_only": .map(.any), "choices": .map(strings),
        ]),
        "Plugins": .object([
            "directories": strings,
            "plugins": .array(.object([
                "name": .string(), "file": .string(), "patterns": strings, "defaults": .map(.any), "options": .map(.string()),
                "batch": .boolean, "fallback": .boolean,
            ])),
            "failures": .array(.object(["file": .string(), "message": .string(), "kept_previous": .boolean])),
        ]),
        "Account": .object([
            "id": id, "name": .string(), "mid": .integer(), "uname": .string(), "expires_at": .nullable(time),
            "last_checked_at": .nullable(time), "state": .string(oneOf: ["ok", "needs_login"]), "state_message": .nullable(.string()),
        ]),
        "AccountList": items(of: "Account"),
        "QRLoginStart": .object(["id": id, "url": .string(), "qr_png": .string(pattern: "^data:image/png;base64,"), "expires_at": time]),
        "QRLogin": .object([
            "id": id, "state": .string(oneOf: ["waiting", "scanned", "expired", "done", "cancelled"]), "account": .nullable(.ref("Account")),
        ]),
        "UploadPart": .object([
            "id": id, "position": .integer(), "title": .string(), "path": .string(),
            "state": .string(oneOf: ["queued", "uploading", "uploaded", "held", "failed"]), "bytes": .integer(), "tries": .integer(),
            "next_try_at": .nullable(time), "error": .nullable(.string()), "sent": .nullable(.integer()), "total": .nullable(.integer()),
        ]),
        "Upload": .object([
            "id": id, "title": .string(), "state": .string(oneOf: ["collecting", "ready", "held", "failed"]),
            "account": .nullable(.string()), "template": .nullable(.string()), "session_id": .nullable(id), "tries": .integer(),
            "next_try_at": .nullable(time), "error": .nullable(.string()), "rate_limited_until": .nullable(time), "created_at": time,
            "parts": .array(.ref("UploadPart")),
        ]),
        "UploadList": items(of: "Upload"),
        "Archive": .object([
            "id": id, "title": .string(), "aid": .nullable(.integer()), "bvid": .nullable(.string()), "url": .nullable(.string()),
            "account": .nullable(.string()), "template": .nullable(.string()), "session_id": .nullable(id),
            "submitted_at": .nullable(time), "parts": .array(.ref("UploadPart")),
        ]),
        "ArchivePage": page(of: "Archive"),
        "Webhook": .object([
            "id": id, "name": .string(), "origin": origin, "url": .string(), "events": strings, "has_secret": .boolean,
            "delivered": .integer(minimum: 0), "failed": .integer(minimum: 0), "dropped": .integer(minimum: 0),
            "queued": .integer(minimum: 0), "last_error": .nullable(.string()), "created_at": time, "updated_at": time,
        ]),
        "WebhookList": items(of: "Webhook"),
        "WebhookTest": .object(["delivered": .boolean, "status": .nullable(.integer()), "error": .nullable(.string()), "delivery": .string()]),
        "OpenAPI": .object(["openapi": .string(), "info": .map(.any), "paths": .map(.any), "components": .map(.any)]),
    ]

    /// A page of a list: `limit` items from `offset`, and the total where counting is cheap.
    private static func page(of item: String) -> Schema {
        .object(["items": .array(.ref(item)), "total": .nullable(.integer(minimum: 0)), "limit": .integer(minimum: 1),
                 "offset": .integer(minimum: 0)])
    }

    /// A whole list.
    private static func items(of item: String) -> Schema {
        .object(["items": .array(.ref(item))])
    }
}
