import Foundation
import NetCDF

/// The time step of an initial-state file a forecast starts from. The start is the user's: a file holding
/// several times (a GLORYS month, a forecast file) needs a start date and is refused without one, naming the
/// times it holds; a file with one time starts from it. A file whose time units have no reference date
/// (Veros writes "days") can still start a forecast when it holds one time and the start date is given.
public struct StartTime: Equatable, Sendable {
    /// The time step's index in the file.
    public let index: Int
    /// Its date: the forecast's reference time.
    public let date: CFDateTime
    /// What was chosen and why, for the log.
    public let note: String

    /// How far a time step may lie from the start asked for and still be it (12 hours: daily means are stamped
    /// at 00:00 or 12:00).
    static let tolerance: Double = 12 * 3600

    /// The time step of `variable` to start from, nil when it has no time dimension; `start` is a date such as
    /// "2024-03-01" or "2024-03-01T12:00:00".
    public init?(of variable: Variable, in dataset: CFDataset, start: String?) throws {
        let path = dataset.path
        guard let stored = try dataset.storedTime(of: variable) else { return nil }
        guard !stored.values.isEmpty else {
            throw ForecastError.inputData(path: path, variable: variable.name, detail: "holds no time step (its time dimension is empty)")
        }
        let axis: CFTimeAxis
        do {
            axis = try dataset.timeAxis(of: variable)!
        } catch NetCDFError.badAttribute(_, _, "units", _) {
            guard stored.values.count == 1, let start else {
                throw ForecastError.inputData(path: path, variable: stored.name, detail: """
                    has time units '\(stored.units)' with no reference date, so the state's date is unknown\
                    \(stored.values.count == 1 ? ": give it as the start date (--start DATE)"
                        : " and which of its \(stored.values.count) times to start from cannot be said; write CF units ('days since DATE')")
                    """)
            }
            date = try Self.parse(start, calendar: .standard, path: path, variable: stored.name)
            index = 0
            note = "\(path): time units '\(stored.units)' have no reference date; the state is taken as of \(date), the start asked for"
            return
        }
        let dates = axis.dates
        if let start {
            let wanted = try Self.parse(start, calendar: axis.units.reference.calendar, path: path, variable: stored.name)
            let distances = dates.map { abs($0.secondsSince1970 - wanted.secondsSince1970) }
            guard let best = distances.indices.min(by: { distances[$0] < distances[$1] }), distances[best] <= Self.tolerance else {
                throw ForecastError.inputData(path: path, variable: stored.name, detail: """
                    holds no time within 12 hours of the start \(wanted); it holds \(Self.describe(dates))
                    """)
            }
            (index, date) = (best, dates[best])
            note = "\(path): starting from time step \(best + 1) of \(dates.count), \(date) (the start asked for)"
        } else {
            guard dates.count == 1 else {
                throw ForecastError.inputData(path: path, variable: stored.name, detail: """
                    holds \(dates.count) times (\(Self.describe(dates))): choose the one to start from with --start DATE
                    """)
            }
            (index, date) = (0, dates[0])
            note = "\(path): starting from the file's only time, \(date)"
        }
    }

    static func parse(_ text: String, calendar: CFCalendar, path: String, variable: String) throws -> CFDateTime {
        guard let date = CFDateTime(parsing: text, calendar: calendar) else {
            throw ForecastError.inputData(path: path, variable: variable, detail: """
                start '\(text)' is not a date such as 2024-03-01 or 2024-03-01T12:00:00 in the \(calendar.rawValue) calendar
                """)
        }
        return date
    }

    /// The times of a file, shortened beyond six.
    static func describe(_ dates: [CFDateTime]) -> String {
        let shown = dates.count <= 6 ? dates.map(\.description)
            : dates.prefix(3).map(\.description) + ["..."] + dates.suffix(2).map(\.description)
        return shown.joined(separator: ", ")
    }
}
