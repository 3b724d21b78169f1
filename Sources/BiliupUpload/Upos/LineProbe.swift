import BiliupNet

/// `--line auto`: asks preupload which lines there are, times one probe request to each at once, and
/// takes the quickest. Any failure (no list, every probe failing) falls back to bda2.
struct LineProbe {
    let preupload: Preupload
    let timing: UposTiming

    /// biliup POSTs 10 MiB to each line. A probe only has to rank the lines, and 1 MiB already spans
    /// many round trips on any uplink, while 10 MiB to each of a dozen lines costs over 100 MB of
    /// upload and, on a slow uplink, more time than the choice can save.
    static let postProbeBytes = 1 << 20

    struct Choice: Sendable {
        var line: UploadLine
        var millis: Int?
    }

    func fastest() async -> Choice {
        guard let response = try? await preupload.client.send(preupload.memberRequest("/preupload?r=probe"), "line probe"),
              (200..<300).contains(response.status), let answer = UposAnswer(response.body) else {
            return Choice(line: .bda2, millis: nil)
        }
        let lines = answer.objects("lines").compactMap(Self.line)
        // `probe` names the method to time with: {"get": {...}} or {"post": {...}} (or a plain flag).
        let byGet = answer.object("probe")?.isSet("get") ?? false
        let timed = await withTaskGroup(of: Choice?.self) { group in
            for line in lines {
                group.addTask { await time(line, byGet: byGet) }
            }
            var all: [Choice] = []
            for await choice in group { if let choice { all.append(choice) } }
            return all
        }
        return timed.min { ($0.millis ?? .max) < ($1.millis ?? .max) } ?? Choice(line: .bda2, millis: nil)
    }

    /// A line as the probe list gives it: its own query and probe URL, named by its `upcdn`.
    private static func line(_ item: UposAnswer) -> UploadLine? {
        guard let query = item.string("query"), let probeURL = item.string("probe_url") else { return nil }
        let upcdn = query.split(separator: "&").first { $0.hasPrefix("upcdn=") }.map { String($0.dropFirst("upcdn=".count)) }
        let name = upcdn ?? UploadLine.named.first { $0.probeURL == probeURL }?.name ?? item.string("os") ?? probeURL
        return UploadLine(name: name, query: query, probeURL: probeURL)
    }

    private func time(_ line: UploadLine, byGet: Bool) async -> Choice? {
        var request = HTTPRequest(url: "https:" + line.probeURL, method: byGet ? "GET" : "POST",
                                  headers: [("User-Agent", BilibiliClient.webUserAgent)],
                                  body: byGet ? nil : [UInt8](repeating: 0, count: Self.postProbeBytes),
                                  timeout: timing.probeTimeout, maxBodyBytes: 1 << 20)
        request.connectTimeout = min(request.connectTimeout, timing.probeTimeout)
        let clock = ContinuousClock()
        let start = clock.now
        guard let response = try? await preupload.client.send(request, "probing line \(line.name)"),
              (200..<300).contains(response.status) else { return nil }
        let elapsed = clock.now - start
        return Choice(line: line, millis: Int(elapsed.seconds * 1000))
    }
}
