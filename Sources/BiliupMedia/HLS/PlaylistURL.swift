import Foundation

/// URI resolution for playlist entries (RFC 3986 §5.2), done on the strings themselves: CDN URLs carry
/// signed query strings that must reach the server byte for byte, which a URL type may re-encode.
enum PlaylistURL {
    static func resolve(_ reference: String, against base: String) -> String {
        let ref = reference.trimmingCharacters(in: .whitespaces)
        if ref.isEmpty { return base }
        if hasScheme(ref) { return ref }
        guard let schemeEnd = base.range(of: "://") else { return ref }
        let scheme = base[..<schemeEnd.lowerBound]
        if ref.hasPrefix("//") { return scheme + ":" + ref }
        let afterScheme = base[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let origin = base[..<authorityEnd]
        // The base's path, without its query and fragment.
        let pathAndRest = base[authorityEnd...]
        let pathEnd = pathAndRest.firstIndex { $0 == "?" || $0 == "#" } ?? pathAndRest.endIndex
        let basePath = pathAndRest[..<pathEnd]
        if ref.hasPrefix("?") { return origin + (basePath.isEmpty ? "/" : basePath) + ref }
        if ref.hasPrefix("#") { return String(base[..<(base.firstIndex(of: "#") ?? base.endIndex)]) + ref }

        // Split the reference into path and query/fragment; only the path takes part in dot removal.
        let refPathEnd = ref.firstIndex { $0 == "?" || $0 == "#" } ?? ref.endIndex
        let refPath = ref[..<refPathEnd]
        let refTail = ref[refPathEnd...]
        let merged: String
        if refPath.hasPrefix("/") {
            merged = String(refPath)
        } else {
            let directory = basePath.lastIndex(of: "/").map { basePath[...$0] } ?? "/"
            merged = String(directory) + refPath
        }
        return String(origin) + removeDotSegments(merged) + refTail
    }

    static func hasScheme(_ s: String) -> Bool {
        guard let colon = s.firstIndex(of: ":"), colon != s.startIndex else { return false }
        let scheme = s[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter else { return false }
        return scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }

    /// RFC 3986 §5.2.4 for an absolute path.
    static func removeDotSegments(_ path: String) -> String {
        guard path.contains(".") else { return path }
        var output: [Substring] = []
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        for (i, part) in parts.enumerated() where i > 0 || !part.isEmpty {
            let last = i == parts.count - 1
            switch part {
            case ".":
                if last { output.append("") }
            case "..":
                if !output.isEmpty { output.removeLast() }
                if last { output.append("") }
            default:
                output.append(part)
            }
        }
        return "/" + output.joined(separator: "/")
    }
}
