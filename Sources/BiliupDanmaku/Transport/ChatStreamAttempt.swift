import BiliupNet
import Foundation

/// One connection of a WebSocket or TCP chat, from connect to the end: upgrade, the session's opening
/// frames, then reading, replying and heartbeats until the stream fails, goes idle or `stop()` is called.
/// Runs on the connection's thread and only ever ends by throwing.
struct ChatStreamAttempt {
    /// Bytes taken from the socket per read call.
    static let readChunkBytes = 64 << 10
    /// Reads per round before heartbeats and the idle check get their turn: a server that never pauses
    /// cannot starve them.
    static let readsPerRound = 64

    let endpoint: ChatEndpoint
    let session: any ChatSession
    let settings: ChatNetworkSettings
    let wakeup: ChatWakeup
    let isStopping: () -> Bool
    let emit: (ChatEvent) -> Void

    func run(onConnected: (Date) -> Void) throws(ChatAttemptEnd) {
        let webSocket: Bool
        let target: ChatTarget
        do throws(ChatTransportError) {
            switch endpoint.transport {
            case .webSocket:
                webSocket = true
                target = try ChatTarget.webSocket(endpoint.url, remap: settings.hostRemap)
            case .tcp:
                webSocket = false
                target = try ChatTarget.tcp(endpoint.url, remap: settings.hostRemap)
            case .polling:
                throw ChatTransportError.invalidURL("\(endpoint.url): a polling endpoint cannot be a stream")
            }
        } catch {
            throw .failed(error)
        }
        let options = ConnectOnlySocket.Options(url: target.connectURL, proxy: settings.proxy,
                                                connectTimeout: settings.connectTimeout,
                                                blockPrivateAddresses: settings.blocksPrivateAddresses,
                                                certificateAuthorities: settings.certificateAuthorities)
        let socket: ConnectOnlySocket
        do throws(NetError) {
            socket = try ConnectOnlySocket(options, shouldAbort: isStopping)
        } catch {
            throw isStopping() ? .stopped : .failed(.network(error))
        }
        let link = ChatStreamLink(socket: socket, webSocket: webSocket, wakeup: wakeup, isStopping: isStopping)
        var buffer = [UInt8](repeating: 0, count: ChatStreamAttempt.readChunkBytes)
        var decoder = WebSocketFrameDecoder()
        if webSocket {
            let leftover = try upgrade(link, target: target, buffer: &buffer)
            decoder.append(leftover)
        }
        for frame in session.openingFrames() { try link.send(frame) }
        onConnected(Date())

        let heartbeat = session.heartbeatInterval.flatMap { $0 > .zero ? $0 : nil }
        let idleLimit = settings.idleTimeout(heartbeat: heartbeat)
        var nextHeartbeat = heartbeat.map { ContinuousClock.now + $0 }
        var lastByte = ContinuousClock.now
        do throws(ChatAttemptEnd) {
            if webSocket {
                // Frames that came with the upgrade answer.
                var messages: [DanmakuMessage] = []
                defer { if !messages.isEmpty { emit(.messages(messages)) } }
                try deliverDecoded(&decoder, link: link, messages: &messages)
            }
            while true {
                do {
                    // Messages of this round go out before the wait below, not after it.
                    var messages: [DanmakuMessage] = []
                    defer { if !messages.isEmpty { emit(.messages(messages)) } }
                    reading: for _ in 0..<ChatStreamAttempt.readsPerRound {
                        let result = try link.read(into: &buffer)
                        switch result {
                        case .wouldBlock:
                            break reading
                        case .closed:
                            throw .failed(.endOfStream)
                        case .bytes(let n):
                            lastByte = ContinuousClock.now
                            if webSocket {
                                decoder.append(buffer[..<n])
                                try deliverDecoded(&decoder, link: link, messages: &messages)
                            } else {
                                try deliver(.message(.binary(Array(buffer[..<n]))), link: link, messages: &messages)
                            }
                        }
                    }
                }
                let now = ContinuousClock.now
                if let due = nextHeartbeat, let heartbeat, now >= due {
                    if let frame = session.heartbeatFrame() { try link.send(frame) }
                    nextHeartbeat = now + heartbeat
                }
                guard now - lastByte < idleLimit else { throw .failed(.idle(idleLimit)) }
                var wake = lastByte + idleLimit
                if let due = nextHeartbeat, due < wake { wake = due }
                _ = try link.waitReadable(timeout: wake - now)
            }
        } catch {
            if let code = closeCode(for: error) { link.sendCloseQuietly(code: code) }
            throw error
        }
    }

    /// Sends the upgrade request and reads the answer; returns bytes that followed the answer's head.
    private func upgrade(_ link: ChatStreamLink, target: ChatTarget, buffer: inout [UInt8]) throws(ChatAttemptEnd) -> [UInt8] {
        var handshake = WebSocketHandshake()
        let request: [UInt8]
        do throws(ChatTransportError) {
            request = try handshake.request(target: target, headers: endpoint.headers,
                                            defaultUserAgent: settings.userAgent ?? HTTPRequest.defaultUserAgent)
        } catch {
            throw .failed(error)
        }
        try link.sendAll(request)
        let deadline = ContinuousClock.now + settings.connectTimeout
        while true {
            let result = try link.read(into: &buffer)
            switch result {
            case .closed:
                throw .failed(.handshake("the server ended the connection before answering"))
            case .bytes(let n):
                let leftover: [UInt8]?
                do throws(ChatTransportError) {
                    leftover = try handshake.receive(buffer[..<n])
                } catch {
                    throw .failed(error)
                }
                if let leftover { return leftover }
            case .wouldBlock:
                let left = deadline - ContinuousClock.now
                guard left > .zero else { throw .failed(.handshake("no answer within \(Int(settings.connectTimeout.seconds)) s")) }
                _ = try link.waitReadable(timeout: left)
            }
        }
    }

    /// Hands every complete frame in `decoder` to the session (or answers it, for control frames).
    private func deliverDecoded(_ decoder: inout WebSocketFrameDecoder, link: ChatStreamLink,
                                messages: inout [DanmakuMessage]) throws(ChatAttemptEnd) {
        while true {
            let inbound: WebSocketInbound?
            do throws(ChatTransportError) {
                inbound = try decoder.next()
            } catch {
                throw .failed(error)
            }
            guard let inbound else { return }
            try deliver(inbound, link: link, messages: &messages)
        }
    }

    private func deliver(_ inbound: WebSocketInbound, link: ChatStreamLink, messages: inout [DanmakuMessage]) throws(ChatAttemptEnd) {
        switch inbound {
        case .message(let frame):
            let receipt: ChatReceipt
            do throws(DanmakuDecodeError) {
                receipt = try session.receive(frame, at: Date())
            } catch {
                throw .failed(.decode(error))
            }
            messages += receipt.messages
            for reply in receipt.replies { try link.send(reply) }
        case .ping(let payload):
            try link.sendAll(WebSocketFrameEncoder.encode(.pong, payload))
        case .pong:
            break
        case .close(let code):
            // Answer the close as RFC 6455 asks, echoing the code; then the connection is over.
            link.sendCloseQuietly(code: code.flatMap { ChatStreamAttempt.sendableCloseCodes.contains($0) ? $0 : nil } ?? 1000)
            throw .failed(.closedByServer(code: code))
        }
    }

    /// Codes a close frame may carry (RFC 6455 §7.4): 1005, 1006 and 1015 only describe closes.
    static let sendableCloseCodes: Set<UInt16> = Set(1000...1003).union(1007...1014).union(3000...4999)

    /// The close code this client ends a WebSocket with (RFC 6455 §7.4.1); nil when the stream is already
    /// gone or the server's close was answered.
    private func closeCode(for end: ChatAttemptEnd) -> UInt16? {
        switch end {
        case .failed(.tooLarge): return 1009
        case .failed(.protocolViolation): return 1002
        case .failed(.closedByServer), .failed(.endOfStream), .failed(.network): return nil
        default: return 1000
        }
    }
}
