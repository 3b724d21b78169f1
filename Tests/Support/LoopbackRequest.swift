import Foundation

/// An HTTP request as a handler of `LoopbackHTTPServer` sees it.
public struct LoopbackRequest: Sendable {
    public let method: String
    /// The target's path, percent-encoding kept.
    public let path: String
    /// Query parameters, decoded; a repeated name keeps its last value.
    public let query: [String: String]
    /// Header names lowercased.
    public let headers: [String: String]
    public internal(set) var body: Data

    /// HTTP/1.1 keeps the connection unless the client says `Connection: close`; HTTP/1.0 does not keep it.
    let keepAlive: Bool
}

/// Reads requests off one connection: the head up to the blank line, then a `Content-Length` body.
struct RequestReader {
    /// Heads are a few hundred bytes; anything this large is not a client we serve.
    private static let maxHeadBytes = 64 * 1024
    private static let receiveChunk = 16 * 1024
    private static let headEnd = Data("\r\n\r\n".utf8)

    private let socket: LoopbackSocket
    private var buffer = Data()  // bytes received and not yet consumed

    init(socket: LoopbackSocket) {
        self.socket = socket
    }

    /// The next request, or nil when the client closed or sent something that is not HTTP.
    mutating func next() -> LoopbackRequest? {
        var headRange = buffer.range(of: Self.headEnd)
        while headRange == nil {
            guard buffer.count < Self.maxHeadBytes, receiveMore() else { return nil }
            headRange = buffer.range(of: Self.headEnd)
        }
        let head = String(decoding: buffer[buffer.startIndex..<headRange!.lowerBound], as: UTF8.self)
        buffer = Data(buffer[headRange!.upperBound...])
        guard var request = Self.parse(head: head) else { return nil }
        let bodyLength = Int(request.headers["content-length"] ?? "0") ?? 0
        while buffer.count < bodyLength {
            guard receiveMore() else { return nil }
        }
        request.body = Data(buffer.prefix(bodyLength))
        buffer = Data(buffer.dropFirst(bodyLength))
        return request
    }

    private mutating func receiveMore() -> Bool {
        var chunk = [UInt8](repeating: 0, count: Self.receiveChunk)
        let count = chunk.withUnsafeMutableBytes { socket.receive(into: $0) }
        buffer.append(contentsOf: chunk[0..<count])
        return count > 0
    }

    private static func parse(head: String) -> LoopbackRequest? {
        let lines = head.components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let target = requestLine[1].split(separator: "?", maxSplits: 1)
        let connection = headers["connection"]?.lowercased()
        return LoopbackRequest(
            method: String(requestLine[0]), path: String(target[0]),
            query: target.count > 1 ? parseQuery(target[1]) : [:], headers: headers, body: Data(),
            keepAlive: requestLine[2] == "HTTP/1.1" ? connection != "close" : connection == "keep-alive")
    }

    private static func parseQuery(_ query: Substring) -> [String: String] {
        var items: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            items[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return items
    }
}
