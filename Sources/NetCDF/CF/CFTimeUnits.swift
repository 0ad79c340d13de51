import Foundation

/// CF time units: "<unit> since <reference date>" in a calendar, converting stored offsets to dates and back.
public struct CFTimeUnits: Sendable, Equatable, CustomStringConvertible {
    /// Seconds per unit (86400 for days, 3600 for hours, ...).
    public let secondsPerUnit: Double
    /// The reference date.
    public let reference: CFDateTime
    /// The unit as written in the file ("days", "hours", ...).
    public let unitName: String

    /// Parses `units` (e.g. "hours since 1950-01-01 00:00:00") in `calendar`; nil if it is not CF time.
    public init?(units: String, calendar: CFCalendar) {
        let parts = units.trimmingCharacters(in: .whitespaces).components(separatedBy: " since ")
        guard parts.count == 2 else { return nil }
        let unit = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
        let perUnit: Double
        switch unit {
        case "seconds", "second", "secs", "sec", "s": perUnit = 1
        case "minutes", "minute", "mins", "min": perUnit = 60
        case "hours", "hour", "hrs", "hr", "h": perUnit = 3600
        case "days", "day", "d": perUnit = 86_400
        default: return nil
        }
        guard let reference = Self.parseDate(parts[1], calendar: calendar) else { return nil }
        if calendar == .standard && reference < CFDateTime(year: 1582, month: 10, day: 15, calendar: .standard) {
            return nil
        }
        secondsPerUnit = perUnit
        self.reference = reference
        unitName = unit
    }

    /// Units of `unit` ("hours", "days", ...) since `reference`.
    public init(unit: String, secondsPerUnit: Double, since reference: CFDateTime) {
        unitName = unit
        self.secondsPerUnit = secondsPerUnit
        self.reference = reference
    }

    /// The date `value` units after the reference.
    public func date(_ value: Double) -> CFDateTime {
        CFDateTime(secondsSince1970: reference.secondsSince1970 + value * secondsPerUnit, calendar: reference.calendar)
    }

    /// The offset of `date` from the reference, in units.
    public func value(_ date: CFDateTime) -> Double {
        (date.secondsSince1970 - reference.secondsSince1970) / secondsPerUnit
    }

    /// The CF string ("hours since 1950-01-01 00:00:00").
    public var description: String {
        "\(unitName) since " + reference.description.replacingOccurrences(of: "T", with: " ")
    }

    /// Parses "1950-01-01", "1950-1-1 0:0:0", "1950-01-01T00:00:00Z", "1950-01-01 00:00:00.0 UTC",
    /// "2020-01-01 00:00:00+00:00". Time zones other than UTC are refused.
    static func parseDate(_ text: String, calendar: CFCalendar) -> CFDateTime? {
        var s = text.trimmingCharacters(in: .whitespaces)
        for suffix in [" UTC", "UTC", "Z", "+00:00", "+0000", " +00:00", "+00"] where s.hasSuffix(suffix) {
            s = String(s.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
            break
        }
        let pieces = s.split(whereSeparator: { $0 == " " || $0 == "T" }).map(String.init)
        guard (1...2).contains(pieces.count) else { return nil }
        let ymd = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
        guard ymd.count == 3, let y = Int(ymd[0]), let m = Int(ymd[1]), let d = Int(ymd[2]),
              (1...12).contains(m), d >= 1, d <= calendar.daysIn(month: m, year: y) else { return nil }
        var seconds = 0.0
        if pieces.count == 2 {
            let hms = pieces[1].split(separator: ":")
            guard (1...3).contains(hms.count), let h = Int(hms[0]), (0..<24).contains(h) else { return nil }
            let minutes = hms.count > 1 ? Int(hms[1]) : 0
            let secs = hms.count > 2 ? Double(hms[2]) : 0
            guard let minutes, let secs, (0..<60).contains(minutes), secs >= 0, secs < 61 else { return nil }
            seconds = Double(h * 3600 + minutes * 60) + secs
        }
        return CFDateTime(year: y, month: m, day: d, seconds: seconds, calendar: calendar)
    }
}

extension CFDateTime {
    /// A date as CF time units write it ("2024-03-01", "2024-03-01 06:00:00", "2024-03-01T06:00:00Z"); nil if
    /// `text` is not one.
    public init?(parsing text: String, calendar: CFCalendar = .standard) {
        guard let date = CFTimeUnits.parseDate(text, calendar: calendar) else { return nil }
        self = date
    }
}
