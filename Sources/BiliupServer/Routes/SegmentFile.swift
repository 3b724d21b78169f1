import BiliupMedia
import Foundation
import Hummingbird

/// A recorded file served to a browser. Only paths the store recorded as segments reach here, never a
/// path from the request; even so, only a regular file with a recording's extension is served, so a
/// tampered database cannot make the API hand out other files.
struct SegmentFile {

    let path: String
    let size: Int
    let contentType: String

    init(recordedPath: String) throws {
        let ext = (recordedPath as NSString).pathExtension.lowercased()
        guard let type = OutputFormat(rawValue: ext)?.mimeType else { throw APIError(.forbidden, "forbidden", "not a recording: \(recordedPath)") }
        // A segment being written is still FILE.part.
        for candidate in [recordedPath, recordedPath + ".part"] {
            var st = stat()
            guard lstat(candidate, &st) == 0 else { continue }
            guard st.st_mode & S_IFMT == S_IFREG else { throw APIError(.forbidden, "forbidden", "not a regular file: \(candidate)") }
            path = candidate
            size = Int(st.st_size)
            contentType = type
            return
        }
        throw APIError.notFound("the file is gone: \(recordedPath)")
    }

    func response(for request: Request, context: APIContext) async throws -> Response {
        var headers: HTTPFields = [.contentType: contentType, .acceptRanges: "bytes"]
        let name = (path as NSString).lastPathComponent.replacingOccurrences(of: ".part", with: "")
        headers[.contentDisposition] = "inline; filename*=UTF-8''\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._"))) ?? "recording")"
        guard let header = request.headers[.range] else {
            headers[.contentLength] = String(size)
            return Response(status: .ok, headers: headers, body: size == 0 ? .init() : try await FileIO().loadFile(path: path, context: context))
        }
        guard let range = Self.range(header, size: size) else {
            headers[.contentRange] = "bytes */\(size)"
            let error = APIError(.rangeNotSatisfiable, "range_not_satisfiable", "Range \(header) is outside the file's \(size) bytes")
            var response = try error.response(from: request, context: context)
            response.headers[.contentRange] = "bytes */\(size)"
            return response
        }
        headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
        headers[.contentLength] = String(range.count)
        return Response(status: .partialContent, headers: headers, body: try await FileIO().loadFile(path: path, range: range, context: context))
    }

    /// The byte range of a `Range: bytes=...` header (one range; `a-b`, `a-` or `-n`), nil when it
    /// cannot be satisfied.
    static func range(_ header: String, size: Int) -> ClosedRange<Int>? {
        guard header.hasPrefix("bytes="), size > 0 else { return nil }
        let spec = header.dropFirst(6).split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let n = Int(parts[1]), n > 0 else { return nil }
            return max(0, size - n)...(size - 1)
        }
        guard let start = Int(parts[0]), start >= 0, start < size else { return nil }
        if parts[1].isEmpty { return start...(size - 1) }
        guard let end = Int(parts[1]), end >= start else { return nil }
        return start...min(end, size - 1)
    }
}
