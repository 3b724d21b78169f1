import BiliupEngine
import Hummingbird
import NIOCore

/// `GET /metrics`: Prometheus text, read from the engine at each scrape. Behind the API's login (a
/// bearer token works, as Prometheus's `authorization` setting sends it) unless the server was started
/// with `--public-metrics`.
enum MetricsRoutes {
    static let path = "/metrics"

    static func add(to table: RouteTable, _ s: ServerServices, isPublic: Bool, server: @escaping @Sendable () -> ServerGauges) {
        table.add(.get, path, "Prometheus metrics: recordings, checks, uploads, subscribers, process",
                  access: isPublic ? .open : .user, response: .text(mediaType: PrometheusText.contentType)) { _, _ in
            let text = MetricsExposition.text(await s.engine.metrics(), server: server(), process: ProcessUsage.now())
            return Response(status: .ok, headers: [.contentType: PrometheusText.contentType, .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
