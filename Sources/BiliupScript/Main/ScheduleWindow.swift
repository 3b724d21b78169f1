import Foundation

/// A time window when a streamer may be recorded: `"20:00-02:00"` (every day, across midnight) or
/// `"sat,sun 10:00-12:00"`, `"mon-fri 19:00-23:30"`. Local time.
public struct ScheduleWindow: Sendable, Equatable, CustomStringConvertible {
    /// Weekdays 1 (Sunday) ... 7 (Saturday) as Calendar counts them; empty = every day.
    public var weekdays: Set<Int>
    /// Minutes after midnight.
    public var start: Int
    public var end: Int
    public let description: String

    static let dayNames = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    public init?(_ text: String) {
        description = text
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
        guard (1...2).contains(parts.count) else { return nil }
        var days = Set<Int>()
        if parts.count == 2 {
            for item in parts[0].lowercased().split(separator: ",") {
                let range = item.split(separator: "-")
                guard let first = Self.dayNames[String(range[0])] else { return nil }
                if range.count == 2 {
                    guard let last = Self.dayNames[String(range[1])] else { return nil }
                    var d = first
                    while true {
                        days.insert(d)
                        if d == last { break }
                        d = d % 7 + 1
                    }
                } else {
                    guard range.count == 1 else { return nil }
                    days.insert(first)
                }
            }
        }
        let times = parts[parts.count - 1].split(separator: "-")
        guard times.count == 2, let s = Self.minutes(times[0]), let e = Self.minutes(times[1]), s != e else { return nil }
        weekdays = days
        start = s
        end = e
    }

    private static func minutes(_ text: Substring) -> Int? {
        let hm = text.split(separator: ":")
        guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440 else { return nil }
        return h * 60 + m
    }

    /// Whether `date` falls in the window. A window across midnight belongs to the day it starts on.
    public func contains(_ date: Date, calendar: Calendar = .current) -> Bool {
        let c = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        let now = c.hour! * 60 + c.minute!
        let today = c.weekday!
        let yesterday = (today + 5) % 7 + 1
        func dayAllowed(_ d: Int) -> Bool { weekdays.isEmpty || weekdays.contains(d) }
        if start < end { return dayAllowed(today) && now >= start && now < end }
        return (dayAllowed(today) && now >= start) || (dayAllowed(yesterday) && now < end)
    }
}
