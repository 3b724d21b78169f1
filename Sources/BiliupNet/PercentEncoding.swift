import CCurl

/// URL percent-encoding by libcurl, as sites' signing code does it (Python's urllib.parse.quote with
/// safe="", PHP's rawurlencode): curl_easy_escape keeps exactly RFC 3986's unreserved characters
/// (A-Z a-z 0-9 - . _ ~) and writes every other byte as "%" and two capital hex digits.
public enum PercentEncoding {
    /// libcurl refuses to escape more than CURL_MAX_INPUT_LENGTH (8 MB) at once. Each byte is escaped on
    /// its own, so longer text is escaped in pieces of this many bytes and the results joined.
    static let escapePieceLength = 1 << 20

    /// Spaces become "%20": no caller needs form encoding's "+" on the way out.
    public static func encode(_ s: String) -> String {
        var text = s
        return text.withUTF8 { bytes in
            var out = ""
            out.reserveCapacity(bytes.count)
            var start = 0
            // An empty piece is never passed: libcurl reads a length of 0 as "up to the NUL".
            while start < bytes.count {
                let end = min(start + escapePieceLength, bytes.count)
                let piece = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<end])
                guard let escaped = curl_easy_escape(nil, piece.baseAddress!.assumingMemoryBound(to: CChar.self),
                                                     Int32(piece.count)) else {
                    fatalError("curl_easy_escape could not allocate its result")
                }
                out += String(cString: escaped)
                curl_free(escaped)
                start = end
            }
            return out
        }
    }

    /// A "%" not followed by two hex digits stays as it is, as browsers do. Bytes that are not UTF-8
    /// become U+FFFD. `plusAsSpace` decodes a form (application/x-www-form-urlencoded): "+" is a space
    /// there and "%2B" a plus, which libcurl does not know, so "+" becomes " " before libcurl decodes
    /// (it leaves spaces alone).
    public static func decode(_ s: String, plusAsSpace: Bool = false) -> String {
        var bytes = Array(s.utf8)
        guard !bytes.isEmpty else { return "" }
        if plusAsSpace {
            for i in bytes.indices where bytes[i] == UInt8(ascii: "+") { bytes[i] = UInt8(ascii: " ") }
        }
        // libcurl takes the length as an int; a plugin's memory limit keeps its strings far below that.
        precondition(bytes.count <= Int(Int32.max), "percent-decoding more than 2 GiB")
        var length: Int32 = 0
        let decoded = bytes.withUnsafeBytes {
            curl_easy_unescape(nil, $0.baseAddress!.assumingMemoryBound(to: CChar.self), Int32($0.count), &length)
        }
        guard let decoded else { fatalError("curl_easy_unescape could not allocate its result") }
        defer { curl_free(decoded) }
        return String(decoding: UnsafeRawBufferPointer(start: decoded, count: Int(length)), as: UTF8.self)
    }
}
