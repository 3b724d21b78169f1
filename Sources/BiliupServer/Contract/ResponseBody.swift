/// What a route's success answer carries, as openapi.json documents it (errors are always `Error`).
enum ResponseBody: Sendable {
    case json(Schema)
    /// A file's bytes of one of these media types: whole (200) or the asked Range of them (206).
    case file(mediaTypes: [String])
    /// Text of this media type (the metrics).
    case text(mediaType: String)
}
