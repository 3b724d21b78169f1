import BiliupScript
import Foundation

/// Whether a live room may be recorded now: its schedule windows and its title filters.
struct StreamerPolicy: Sendable {
    let schedule: [ScheduleWindow]
    let titleInclude: [String]
    let titleExclude: [String]

    init(_ d: StreamerDeclaration) {
        schedule = d.schedule
        titleInclude = d.titleInclude
        titleExclude = d.titleExclude
    }

    /// nil when allowed, else why not (said once in a state event).
    func refusal(title: String?, at date: Date) -> String? {
        if !schedule.isEmpty, !schedule.contains(where: { $0.contains(date) }) {
            return "outside its schedule (\(schedule.map(\.description).joined(separator: ", ")))"
        }
        let title = title ?? ""
        if let word = titleExclude.first(where: { title.localizedCaseInsensitiveContains($0) }) {
            return "title \"\(title)\" contains \"\(word)\""
        }
        if !titleInclude.isEmpty, !titleInclude.contains(where: { title.localizedCaseInsensitiveContains($0) }) {
            return "title \"\(title)\" has none of \(titleInclude.map { "\"\($0)\"" }.joined(separator: ", "))"
        }
        return nil
    }
}
