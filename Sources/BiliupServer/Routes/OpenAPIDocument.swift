import Foundation

/// `GET /api/openapi.json`: an OpenAPI 3.0 description built from the route table itself, so it
/// lists exactly the routes that exist.
enum OpenAPIDocument {
    static func build(_ specs: [RouteSpec], version: String) -> Data {
        var paths: [String: [String: Any]] = [:]
        for spec in specs {
            var operation: [String: Any] = [
                "summary": spec.summary,
                "responses": [
                    String(spec.status): ["description": spec.status == 204 ? "done" : "JSON (see docs/api.md)"],
                    "default": ["description": "an error: {\"error\": {\"code\", \"message\"}}",
                                "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]],
                ],
            ]
            var parameters: [[String: Any]] = []
            for name in pathParameters(spec.path) {
                parameters.append(["name": name, "in": "path", "required": true, "schema": ["type": "integer", "minimum": 1]])
            }
            for (name, description) in spec.query {
                parameters.append(["name": name, "in": "query", "required": false, "description": description, "schema": ["type": "string"]])
            }
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if let body = spec.body {
                operation["requestBody"] = ["required": true, "description": body,
                                            "content": ["application/json": ["schema": ["type": "object"]]]]
            }
            operation["security"] = spec.access == .open ? [] : [["bearer": []], ["cookie": []]]
            if spec.access == .admin { operation["description"] = "Admins only." }
            paths[spec.path, default: [:]][spec.method.rawValue.lowercased()] = operation
        }
        paths["/api/ws"] = ["get": [
            "summary": "WebSocket of events (upgrade); query types, level, streamer_id (docs/api.md)",
            "responses": ["101": ["description": "switching protocols"]],
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
                "schemas": ["Error": ["type": "object", "properties": ["error": ["type": "object", "properties": [
                    "code": ["type": "string"], "message": ["type": "string"]]]]]],
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) }
    }
}
