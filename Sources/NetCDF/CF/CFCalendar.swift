/// The CF calendars forecastd reads and writes.
public enum CFCalendar: String, Sendable, CaseIterable {
    /// Gregorian calendar, extended back in time (`proleptic_gregorian`).
    case prolepticGregorian = "proleptic_gregorian"
    /// CF's default `standard` (alias `gregorian`): Gregorian from 1582-10-15; earlier dates are refused rather
    /// than silently computed in the wrong calendar.
    case standard
    /// Every year 365 days (`noleap`, alias `365_day`).
    case noLeap = "noleap"
    /// Every year 366 days (`all_leap`, alias `366_day`).
    case allLeap = "all_leap"
    /// Twelve 30-day months (`360_day`).
    case day360 = "360_day"

    /// The calendar for a CF `calendar` attribute value (case-insensitive, aliases accepted).
    public init?(attribute: String) {
        switch attribute.lowercased().trimmingCharacters(in: .whitespaces) {
        case "standard", "gregorian": self = .standard
        case "proleptic_gregorian": self = .prolepticGregorian
        case "noleap", "365_day", "no_leap": self = .noLeap
        case "all_leap", "366_day": self = .allLeap
        case "360_day": self = .day360
        default: return nil
        }
    }

    /// Days in `month` (1-12) of `year`.
    public func daysIn(month: Int, year: Int) -> Int {
        switch self {
        case .day360: return 30
        case .noLeap: return Self.monthLengths[month - 1]
        case .allLeap: return month == 2 ? 29 : Self.monthLengths[month - 1]
        case .standard, .prolepticGregorian:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return month == 2 && leap ? 29 : Self.monthLengths[month - 1]
        }
    }

    static let monthLengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    /// Days from 1970-01-01 (in this calendar) to `year-month-day`.
    public func dayNumber(year: Int, month: Int, day: Int) -> Int {
        switch self {
        case .day360:
            return (year - 1970) * 360 + (month - 1) * 30 + (day - 1)
        case .noLeap, .allLeap:
            let length = self == .noLeap ? 365 : 366
            var days = (year - 1970) * length
            for m in 1..<month { days += daysIn(month: m, year: year) }
            return days + day - 1
        case .standard, .prolepticGregorian:
            // Howard Hinnant's days_from_civil.
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yoe = y - era * 400
            let mp = (month + 9) % 12
            let doy = (153 * mp + 2) / 5 + day - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            return era * 146_097 + doe - 719_468
        }
    }

    /// The date `days` days after 1970-01-01 in this calendar.
    public func date(dayNumber days: Int) -> (year: Int, month: Int, day: Int) {
        switch self {
        case .day360:
            let year = 1970 + Int((Double(days) / 360).rounded(.down))
            let rest = days - (year - 1970) * 360
            return (year, rest / 30 + 1, rest % 30 + 1)
        case .noLeap, .allLeap:
            let length = self == .noLeap ? 365 : 366
            let year = 1970 + Int((Double(days) / Double(length)).rounded(.down))
            var rest = days - (year - 1970) * length
            var month = 1
            while rest >= daysIn(month: month, year: year) {
                rest -= daysIn(month: month, year: year)
                month += 1
            }
            return (year, month, rest + 1)
        case .standard, .prolepticGregorian:
            // Howard Hinnant's civil_from_days.
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let doe = z - era * 146_097
            let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            let day = doy - (153 * mp + 2) / 5 + 1
            let month = mp < 10 ? mp + 3 : mp - 9
            return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
        }
    }
}

/// A date and time in a CF calendar.
public struct CFDateTime: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    /// Seconds since midnight.
    public var seconds: Double
    public var calendar: CFCalendar

    public init(year: Int, month: Int, day: Int, seconds: Double = 0, calendar: CFCalendar) {
        self.year = year
        self.month = month
        self.day = day
        self.seconds = seconds
        self.calendar = calendar
    }

    /// Seconds since 1970-01-01T00:00:00 in this date's calendar.
    public var secondsSince1970: Double {
        Double(calendar.dayNumber(year: year, month: month, day: day)) * 86_400 + seconds
    }

    /// The date `seconds` after 1970-01-01 in `calendar`.
    public init(secondsSince1970 s: Double, calendar: CFCalendar) {
        let days = Int((s / 86_400).rounded(.down))
        let (y, m, d) = calendar.date(dayNumber: days)
        self.init(year: y, month: m, day: d, seconds: s - Double(days) * 86_400, calendar: calendar)
    }

    public static func < (a: CFDateTime, b: CFDateTime) -> Bool { a.secondsSince1970 < b.secondsSince1970 }

    /// ISO 8601, to the second (`1950-01-01T00:00:00`).
    public var description: String {
        let s = Int(seconds.rounded())
        func pad(_ v: Int, _ width: Int) -> String {
            let text = String(abs(v))
            return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(s / 3600, 2)):\(pad(s / 60 % 60, 2)):\(pad(s % 60, 2))"
    }
}
