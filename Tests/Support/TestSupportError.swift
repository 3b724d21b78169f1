import Foundation

/// Why a test fixture could not be made or served; the message says what to look at.
public enum TestSupportError: Error, CustomStringConvertible {
    case toolNotFound(String)
    case toolFailed(tool: String, arguments: [String], status: Int32, stderr: String)
    case unexpectedToolOutput(tool: String, detail: String)
    case malformedFlv(String)
    case malformedMp4(String)
    case malformedPlaylist(URL, String)
    case socket(String, errno: Int32)

    public var description: String {
        switch self {
        case .toolNotFound(let name):
            return "\(name): not found in PATH"
        case .toolFailed(let tool, let arguments, let status, let stderr):
            return "\(tool) \(arguments.joined(separator: " ")): exit status \(status): \(stderr)"
        case .unexpectedToolOutput(let tool, let detail):
            return "\(tool): unexpected output: \(detail)"
        case .malformedFlv(let detail):
            return "FLV: \(detail)"
        case .malformedMp4(let detail):
            return "MP4: \(detail)"
        case .malformedPlaylist(let url, let detail):
            return "\(url.path): \(detail)"
        case .socket(let call, let code):
            return "\(call): \(String(cString: strerror(code)))"
        }
    }
}
