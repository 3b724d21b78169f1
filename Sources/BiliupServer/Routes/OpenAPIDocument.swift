import Foundation

/// `GET /api/openapi.json`: an OpenAPI 3.0 description built from the route table itself, so it
/// lists exactly the routes that exist, each with its request schema (from the input type) and its
/// answer's schema (APISchemas). Public: a client generator or a fuzzer reads it before any login.
enum OpenAPIDocument {
    static func build(_ specs: [RouteSpec], version: String) -> Data {
        var paths: [String: [String: Any]] = [:]
        for spec in specs {
            var responses: [String: Any] = [
                "default": ["description": "an error", "content": ["application/json": ["schema": Schema.ref("Error").document]]],
            ]
            switch spec.response {
            case .json(let schema)?:
                var success: [String: Any] = ["description": spec.summary, "content": ["application/json": ["schema": schema.document]]]
                if spec.status == 201 { success["links"] = links(from: spec, to: specs) }
                responses[String(spec.status)] = success
            case .file(let mediaTypes)?:
                let content = Dictionary(uniqueKeysWithValues: mediaTypes.map { ($0, ["schema": ["type": "string", "format": "binary"]]) })
                responses[String(spec.status)] = ["description": "the whole file", "content": content]
                responses["206"] = ["description": "the asked Range of the file", "content": content]
            case .text(let mediaType)?:
                responses[String(spec.status)] = ["description": "text", "content": [mediaType: ["schema": ["type": "string"]]]]
            case nil:
                responses[String(spec.status)] = ["description": "done"]
            }
            var operation: [String: Any] = ["summary": spec.summary, "responses": responses,
                                            "operationId": operationId(spec)]
            var parameters: [[String: Any]] = []
            for name in pathParameters(spec.path) {
                parameters.append(["name": name, "in": "path", "required": true, "schema": APISchemas.id.document])
            }
            for parameter in spec.query {
                parameters.append(["name": parameter.name, "in": "query", "required": false, "description": parameter.description,
                                   "schema": parameter.schema.document])
            }
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if let body = spec.body {
                operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": body.document]]]
            }
            operation["security"] = spec.access == .open ? [] : [["bearer": []], ["cookie": []]]
            if spec.access == .admin { operation["description"] = "Admins only." }
            paths[spec.path, default: [:]][spec.method.rawValue.lowercased()] = operation
        }
        paths["/api/ws"] = ["get": [
            "summary": "WebSocket of events (upgrade); query types, level, streamer_id (docs/api.md)",
            "operationId": "getEventSocket",
            "parameters": [
                ["name": "types", "in": "query", "required": false, "description": "comma-separated: log, state, progress",
                 "schema": Schema.string().document],
                ["name": "level", "in": "query", "required": false, "description": "the lowest level sent",
                 "schema": APISchemas.level.document],
                ["name": "streamer_id", "in": "query", "required": false, "schema": APISchemas.id.document],
            ],
            "responses": [
                "101": ["description": "switching protocols"],
                "default": ["description": "an error (a plain GET says why it is not an upgrade)",
                            "content": ["application/json": ["schema": Schema.ref("Error").document]]],
            ],
            "security": [["bearer": []], ["cookie": []]],
        ] as [String: Any]]
        let document: [String: Any] = [
            "openapi": "3.0.3",
            "info": ["title": "biliup", "version": version, "description": "Live-stream recorder API. See docs/api.md."],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer"],
                    "cookie": ["type": "apiKey", "in": "cookie", "name": Authenticator.cookieName],
                ],
                "schemas": APISchemas.components.mapValues(\.document),
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// What a client can do next with what `created` made: every operation under its `{id}`, with the
    /// answer's `id` (lets a fuzzer's stateful phase reach existing records, not only 404s).
    static func links(from created: RouteSpec, to specs: [RouteSpec]) -> [String: Any] {
        var links: [String: Any] = [:]
        for spec in specs where spec.path.hasPrefix(created.path + "/{id}") {
            let id = operationId(spec)
            links[id.prefix(1).uppercased() + id.dropFirst()] = ["operationId": id, "parameters": ["id": "$response.body#/id"]]
        }
        return links
    }

    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) }
    }

    /// `PUT /api/streamers/{id}/pause` → `putStreamersIdPause`: unique per route, for generated clients.
    static func operationId(_ spec: RouteSpec) -> String {
        let words = spec.path.split(separator: "/").dropFirst().map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "{}")) }
            .flatMap { $0.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) }
        return spec.method.rawValue.lowercased() + words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
