import BiliupNet
import Foundation

extension Submitter {
    /// Uploads a cover image (JPEG or PNG) and returns the URL Bilibili keeps it at, for `Studio.cover`.
    public func uploadCover(path: String) async throws(UploadError) -> String {
        let context = "cover"
        let image: Data
        do {
            image = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw UploadError(.file, StudioField.cover.rawValue, "cannot read \(path): \(error.localizedDescription)")
        }
        guard !image.isEmpty else { throw UploadError(.invalidInput, StudioField.cover.rawValue, "\(path) is empty") }
        let csrf = try csrfToken(context)
        let dataURL = "data:\(Self.imageType(of: image, path: path));base64," + image.base64EncodedString()
        let form = "cover=" + PercentEncoding.encode(dataURL) + "&csrf=" + PercentEncoding.encode(csrf)
        var request = HTTPRequest(url: BilibiliHosts.member + "/x/vu/web/cover/up", method: "POST",
                                  headers: [("User-Agent", BilibiliClient.webUserAgent),
                                            ("Content-Type", "application/x-www-form-urlencoded")],
                                  body: Array(form.utf8), timeout: .seconds(120))
        request.cookie = login.cookieHeader
        return try await client.call(request, context, as: CoverAnswer.self).url
    }

    /// The image's MIME type: PNG by its signature or name, JPEG otherwise (what biliup sends for any file).
    static func imageType(of image: Data, path: String) -> String {
        let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47]
        if image.prefix(4).elementsEqual(pngSignature) || path.lowercased().hasSuffix(".png") { return "image/png" }
        return "image/jpeg"
    }
}

struct CoverAnswer: Decodable, Sendable {
    var url: String
}
