import BiliupMedia
import BiliupScript
import BiliupValues

extension StreamEndpoint {
    /// A plugin's stream candidate as the recorder opens it; `extraHeaders` (the user's --header lines)
    /// win over the plugin's headers of the same name.
    public init(_ stream: StreamCandidate, extraHeaders: [(String, String)] = [], proxy: String? = nil,
                blockPrivateAddresses: Bool = false) {
        let overridden = Set(extraHeaders.map { $0.0.lowercased() })
        let fromPlugin = stream.headers.sorted { $0.key < $1.key }.filter { !overridden.contains($0.key.lowercased()) }
        self.init(url: stream.url, headers: fromPlugin.map { ($0.key, $0.value) } + extraHeaders, proxy: proxy,
                  blockPrivateAddresses: blockPrivateAddresses)
    }
}

/// A recording's `refreshEndpoint` for a room page: before each reconnect the plugin is asked where the
/// stream is now (platform URLs expire and move); nil once the room is offline. Blocks the recording thread.
public func pluginEndpointRefresher(checker: any RoomChecker, url: String, options: [String: JSONValue],
                                    extraHeaders: [(String, String)] = [], proxy: String? = nil,
                                    blockPrivateAddresses: Bool = false)
    -> @Sendable () throws(MediaError) -> StreamEndpoint? {
    let headers = extraHeaders.map { HeaderPair(name: $0.0, value: $0.1) }
    return { () throws(MediaError) -> StreamEndpoint? in
        switch blocking({ await checker.check(url, options: options) }) {
        case .failure(let error): throw .source("asking the plugin for a fresh stream URL failed: \(error)")
        case .success(let r):
            guard r.live, let first = r.streams.first else { return nil }
            return StreamEndpoint(first, extraHeaders: headers.map { ($0.name, $0.value) }, proxy: proxy,
                                  blockPrivateAddresses: blockPrivateAddresses)
        }
    }
}

/// A header as a Sendable value (tuples are not), for closures that outlive the caller.
private struct HeaderPair: Sendable {
    let name: String
    let value: String
}
