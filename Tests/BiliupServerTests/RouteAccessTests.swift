import BiliupServer
import BiliupStore
import Foundation
import Testing

/// Every route of the route table (as openapi.json lists it), in its plain spelling and in the odd
/// spellings a router and a path check might read differently: who gets in is decided by the route
/// that runs, and an odd spelling never reaches a route at all.
@Suite struct RouteAccessTests {
    /// Ways to write `path` that are not its one plain spelling.
    static func oddSpellings(of path: String) -> [String] {
        let rest = String(path.dropFirst("/api/".count))
        return [
            "/" + path,                    // //api/x: the reported bypass
            "/api//" + rest,               // an empty segment inside
            "/api/./" + rest,              // a dot segment
            "/api/x/../" + rest,           // a dot-dot segment
            path + "/",                    // a trailing slash
            "/api%2F" + rest,              // an encoded separator
            "/api/%2e/" + rest,            // an encoded dot segment
            path + "/.",                   // a dot at the end
            "/api\\" + rest,               // a backslash
        ]
    }

    @Test func everyRouteByEverySpellingAsAnonymousViewerAndAdmin() async throws {
        try await withServer(users: rootAndViewer) { server in
            let admin = try await server.login("root", "rootpass1")
            let viewer = try await server.login("viewer", "viewerpass")
            let routes = try await server.documentedRoutes()
            #expect(routes.count > 30)
            let raw = RawHTTP(port: server.port)
            for route in routes {
                let path = route.path.replacingOccurrences(of: "{id}", with: "1")
                let key = "\(route.method) \(route.path)"
                let admins = (route.operation["description"] as? String)?.contains("Admins only") == true
                let isPublic = (route.operation["security"] as? [Any])?.isEmpty == true
                let body = ["POST", "PUT"].contains(route.method) ? "{}" : nil
                let json = body == nil ? [] : [("Content-Type", "application/json")]

                let anonymous = try await raw.send(route.method, path, headers: json, body: body)
                if isPublic {
                    #expect(anonymous.status != 401 && anonymous.status != 403, "\(key) is declared public: \(anonymous.status)")
                } else {
                    #expect(anonymous.status == 401 && anonymous.errorCode == "login_required", "\(key) anonymous: \(anonymous.status) \(anonymous.body.prefix(200))")
                }
                if admins {
                    let asViewer = try await raw.send(route.method, path, headers: json + [("Authorization", "Bearer \(viewer)")], body: body)
                    #expect(asViewer.status == 403 && asViewer.errorCode == "forbidden", "\(key) as viewer: \(asViewer.status)")
                }
                for odd in Self.oddSpellings(of: path) {
                    for token in [nil, viewer, admin] {
                        let auth = token.map { [("Authorization", "Bearer \($0)")] } ?? []
                        let reply = try await raw.send(route.method, odd, headers: json + auth, body: body)
                        #expect(reply.status == 400 || reply.status == 404, "\(route.method) \(odd) (\(token == nil ? "anonymous" : token == admin ? "admin" : "viewer")): \(reply.status)")
                        #expect(reply.json["error"] != nil, "\(route.method) \(odd): not a JSON error")
                    }
                }
            }
        }
    }

    /// The reported bypass, step by step: with a user configured and no credentials, the double-slash
    /// spelling reads nothing, changes nothing and serves no file.
    @Test func doubleSlashReachesNothing() async throws {
        try await withServer(users: rootAndViewer) { server in
            let admin = try await server.login("root", "rootpass1")
            let added = try await server.request("POST", "/api/streamers", json: ["name": "kept", "url": deadURL("kept")], token: admin)
            #expect(added.status == 201)
            let id = try #require(integer(added.json["id"]))
            let configBefore = try await server.request("GET", "/api/config", token: admin).text
            let raw = RawHTTP(port: server.port)
            let json = [("Content-Type", "application/json")]
            let attempts: [(String, String, String?)] = [
                ("GET", "//api/status", nil),
                ("PUT", "//api/config", #"{"format":"ts"}"#),
                ("POST", "//api/streamers", #"{"name":"planted","url":"http://127.0.0.1:9/x.flv"}"#),
                ("DELETE", "//api/streamers/\(id)", nil),
                ("GET", "//api/segments/1/file", nil),
            ]
            for (method, path, body) in attempts {
                let reply = try await raw.send(method, path, headers: body == nil ? [] : json, body: body)
                #expect(reply.status == 400 && reply.errorCode == "bad_path", "\(method) \(path): \(reply.status) \(reply.body.prefix(200))")
            }
            let list = try await server.request("GET", "/api/streamers", token: admin)
            #expect(list.items.map { $0["name"] as? String } == ["kept"])
            #expect(try await server.request("GET", "/api/config", token: admin).text == configBefore)
        }
    }
}
