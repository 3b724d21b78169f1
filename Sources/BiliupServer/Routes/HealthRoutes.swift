import BiliupEngine
import Foundation
import Hummingbird

/// `GET /api/health`, public: 200 with the version and uptime while the engine runs, 503 (same body,
/// with the phase) while it starts or stops, so a load balancer or systemd watchdog script can tell.
enum HealthRoutes {
    static func add(to table: RouteTable, _ s: ServerServices) {
        // The server is made as the service starts: its age is the service's.
        let started = Date()
        table.add(.get, "/api/health", "Whether the engine runs (503 while it starts or stops); no login",
                  access: .open, response: .json(.ref("Health"))) { _, _ in
            let phase = s.engine.lifecycle.phase
            let uptime = Date().timeIntervalSince(started).rounded(.down)
            let body = HealthDTO(status: phase.name, version: s.version, uptimeSeconds: Int(uptime))
            return JSON.response(body, status: phase == .running ? .ok : .serviceUnavailable)
        }
    }
}

struct HealthDTO: Encodable {
    let status: String
    let version: String
    let uptimeSeconds: Int

    enum CodingKeys: String, CodingKey {
        case status, version
        case uptimeSeconds = "uptime_s"
    }
}
