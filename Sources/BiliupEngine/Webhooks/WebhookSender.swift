import BiliupNet
import Foundation

/// One try of one delivery: a POST through the shared HTTP client, under the engine's rules for
/// outgoing requests (http/https only, host remap, proxy, `block_private_addresses`), no redirects
/// (a 3xx would carry the signed body elsewhere). A 2xx answer is a delivery; anything else is a
/// reason in our words: the receiver's body is never read into a message.
struct WebhookSender: Sendable {
    let network: WebhookNetwork
    let settings: WebhookDeliverySettings

    enum Outcome: Sendable, Equatable {
        case delivered(status: Int)
        case failed(reason: String)
    }

    func send(_ payload: WebhookPayload, to target: WebhookTarget, attempt: Int) async -> Outcome {
        var headers: [(String, String)] = [
            ("Content-Type", "application/json"),
            ("User-Agent", "biliup/\(BiliupVersion.current)"),
            ("X-Biliup-Event", payload.type),
            ("X-Biliup-Delivery", payload.id),
            ("X-Biliup-Attempt", String(attempt)),
        ]
        if !target.secret.isEmpty {
            headers.append((WebhookSignature.header, WebhookSignature.value(secret: target.secret, body: payload.body)))
        }
        var request = HTTPRequest(url: network.hostRemap.apply(target.url), method: "POST", headers: headers, body: payload.body,
                                  timeout: settings.timeout, connectTimeout: settings.timeout, proxy: network.proxy,
                                  followRedirects: false, maxBodyBytes: settings.maxAnswerBytes)
        request.blockPrivateAddresses = network.addressPolicy.blocksPrivateAddresses
        switch await HTTPClient.fetch(request) {
        case .success(let response) where (200..<300).contains(response.status):
            return .delivered(status: response.status)
        case .success(let response):
            return .failed(reason: "HTTP \(response.status)")
        case .failure(let error):
            return .failed(reason: Self.describe(error))
        }
    }

    /// The error without the URL libcurl or we put in it (the URL may hold a token in its query).
    static func describe(_ error: NetError) -> String {
        switch error {
        case .httpStatus(let status, _): "HTTP \(status)"
        case .schemeNotAllowed: "only http and https URLs are allowed"
        case .invalidURL: "invalid URL"
        default: error.description
        }
    }
}
