import CFFmpeg
import Foundation

/// libav* print warnings and errors to stderr on their own; biliup reports problems itself, in words
/// naming the stream. `BILIUP_LIBAV_LOG=warning|error|info|debug` brings libav's own messages back.
enum LibavLogging {
    static let configured: Void = {
        let levels: [String: Int32] = ["quiet": AV_LOG_QUIET, "error": AV_LOG_ERROR, "warning": AV_LOG_WARNING,
                                       "info": AV_LOG_INFO, "debug": AV_LOG_DEBUG]
        let wanted = ProcessInfo.processInfo.environment["BILIUP_LIBAV_LOG"].flatMap { levels[$0.lowercased()] }
        shim_av_log_set_level(wanted ?? AV_LOG_QUIET)
    }()
}
