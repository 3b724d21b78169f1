import Foundation

/// An HTTP request as a handler of `LoopbackHTTPServer` sees it.
public struct LoopbackRequest: Sendable {
    public let method: String
    /// The target's path, percent-encoding kept.
    public let path: String
    /// Query parameters, decoded; a repeated name keeps its last value.
    public let query: [String: String]
    /// The query as sent (after `?`, still encoded): what a request signature is computed over.
    public let rawQuery: String
    /// Header names lowercased.
    public let headers: [String: String]
    public internal(set) var body: Data

    /// HTTP/1.1 keeps the connection unless the client says `Connection: close`; HTTP/1.0 does not keep it.
    let keepAlive: Bool
}

/// Reads requests off one connection: the head up to the blank line, then a `Content-Length` body.
struct RequestReader {
    private static let continueLine = Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Heads are a few hundred bytes; anything this large is not a client we serve.
    private static let maxHeadBytes = 64 * 1024
    private static let receiveChunk = 16 * 1024
    private static let headEnd = Data("\r\n\r\n".utf8)

    private let socket: LoopbackSocket
    private var buffer = Data()  // bytes received and not yet consumed

    init(socket: LoopbackSocket) {
        self.socket = socket
    }

    /// The next request with its body, or nil when the client closed or sent something that is not HTTP.
    mutating func next() -> LoopbackRequest? {
        guard let (request, bodyLength) = nextHead() else { return nil }
        return readBody(of: request, length: bodyLength)
    }

    /// The next request's head and the length of the body that follows it, still unread.
    mutating func nextHead() -> (LoopbackRequest, bodyLength: Int)? {
        var headRange = buffer.range(of: Self.headEnd)
        while headRange == nil {
            guard buffer.count < Self.maxHeadBytes, receiveMore() else { return nil }
            headRange = buffer.range(of: Self.headEnd)
        }
        let head = String(decoding: buffer[buffer.startIndex..<headRange!.lowerBound], as: UTF8.self)
        buffer = Data(buffer[headRange!.upperBound...])
        guard let request = Self.parse(head: head) else { return nil }
        let bodyLength = Int(request.headers["content-length"] ?? "0") ?? 0
        // curl asks before sending a large upload body and otherwise waits a second for this answer.
        if bodyLength > 0, request.headers["expect"]?.lowercased() == "100-continue" {
            _ = Self.continueLine.withUnsafeBytes { socket.send($0, blocking: true) }
        }
        return (request, bodyLength)
    }

    mutating func readBody(of head: LoopbackRequest, length: Int) -> LoopbackRequest? {
        while buffer.count < length {
            guard receiveMore() else { return nil }
        }
        var request = head
        request.body = Data(buffer.prefix(length))
        buffer = Data(buffer.dropFirst(length))
        return request
    }

    /// Hands the body's first bytes already received to a streaming reader of that body.
    mutating func takeBuffered(upTo length: Int) -> Data {
        let taken = Data(buffer.prefix(length))
        buffer = Data(buffer.dropFirst(taken.count))
        return taken
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
            query: target.count > 1 ? parseQuery(target[1]) : [:], rawQuery: target.count > 1 ? String(target[1]) : "",
            headers: headers, body: Data(),
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
