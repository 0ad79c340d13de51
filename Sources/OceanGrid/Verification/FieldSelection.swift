import Foundation
import NetCDF

/// Which time of a file to take: an index as the file orders its times (from 0), a date, or a lead day of a
/// forecast (counted from its `forecast_reference_time`).
public enum TimeChoice: Sendable, Equatable, CustomStringConvertible {
    case index(Int)
    case date(CFDateTime)
    case leadDay(Int)

    /// Parses `--time`: an integer index or a date ("2004-06-06", "2004-06-06T12:00").
    public init?(parsing text: String) {
        if let index = Int(text) {
            self = .index(index)
        } else if let date = CFDateTime(parsing: text) {
            self = .date(date)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .index(let i): "time index \(i)"
        case .date(let d): "time \(d)"
        case .leadDay(let d): "lead day \(d)"
        }
    }
}

/// A request a file cannot answer: a variable, depth or time it does not hold. The user's choice is wrong for
/// this file (the file itself may be fine).
public enum FieldSelectionError: Error, CustomStringConvertible, Equatable {
    case noSuchVariable(path: String, variable: String, available: [String])
    case notAMap(path: String, variable: String, detail: String)
    case noSuchDepth(path: String, variable: String, requested: Double, levels: [Double])
    case noSuchTime(path: String, variable: String, requested: String, available: String)

    public var description: String {
        switch self {
        case .noSuchVariable(let path, let variable, let available):
            "\(path): no variable '\(variable)' to draw; the file's maps: \(available.joined(separator: ", "))"
        case .notAMap(let path, let variable, let detail):
            "\(path): variable '\(variable)' \(detail)"
        case .noSuchDepth(let path, let variable, let requested, let levels):
            "\(path): variable '\(variable)' has no level near \(requested) m; its levels: "
                + (levels.isEmpty ? "none (a surface field)" : levels.map { String(format: "%g", $0) }.joined(separator: ", ") + " m")
        case .noSuchTime(let path, let variable, let requested, let available):
            "\(path): variable '\(variable)' has no \(requested); it holds \(available)"
        }
    }
}

/// One horizontal field of a CF file, chosen by variable, depth and time: what `plot` draws and a job's quick-look
/// shows.
public struct SelectedField: Sendable {
    public var path: String
    public var variable: String
    public var values: [Float]
    public var latitudes: [Double]
    public var longitudes: [Double]
    public var units: String
    public var standardName: String?
    /// The level's depth in m (nil for a surface field such as zos).
    public var depth: Double?
    /// The field's valid time and its lead day when the file is a forecast with a reference time.
    public var time: CFDateTime?
    public var leadDay: Int?

    /// Reads the field. `depth` picks the nearest level (within 10 m or 10%); nil or 0 is the top level.
    /// `time` defaults to the first time. Throws ``FieldSelectionError`` for a choice the file cannot answer.
    public static func read(path: String, variable name: String, depth: Double?, time: TimeChoice?) throws -> SelectedField {
        let dataset = try CFDataset(path: path)
        let maps = try ForecastComparison.dataVariables(dataset)
        guard let variable = dataset.variables.first(where: { $0.name == name }), maps.contains(name) else {
            throw FieldSelectionError.noSuchVariable(path: path, variable: name, available: maps)
        }
        let kinds = try dataset.axisKinds(of: variable)
        guard kinds.count >= 2, kinds[kinds.count - 2] == .latitude, kinds[kinds.count - 1] == .longitude else {
            throw FieldSelectionError.notAMap(path: path, variable: name, detail: "does not end in (latitude, longitude) dimensions")
        }
        var start = [Int](repeating: 0, count: kinds.count), count = [Int](repeating: 1, count: kinds.count)
        count[kinds.count - 2] = variable.shape[kinds.count - 2]
        count[kinds.count - 1] = variable.shape[kinds.count - 1]
        var field = SelectedField(path: path, variable: name, values: [], latitudes: [], longitudes: [], units: "", standardName: nil)
        for (d, kind) in kinds.enumerated().dropLast(2) {
            switch kind {
            case .depth:
                let levels = try dataset.axis(.depth, of: variable)?.values ?? []
                let wanted = depth ?? 0
                let nearest = levels.indices.min { abs(levels[$0] - wanted) < abs(levels[$1] - wanted) }
                guard let nearest, wanted == 0 || abs(levels[nearest] - wanted) <= max(10, 0.1 * wanted) else {
                    throw FieldSelectionError.noSuchDepth(path: path, variable: name, requested: wanted, levels: levels)
                }
                start[d] = nearest
                field.depth = levels[nearest]
            case .time:
                let (index, date, lead) = try timeIndex(dataset, variable, choice: time ?? .index(0))
                start[d] = index
                field.time = date
                field.leadDay = lead
            default:
                guard variable.shape[d] == 1 else {
                    throw FieldSelectionError.notAMap(path: path, variable: name,
                                                      detail: "has a dimension '\(variable.dimensions[d].name)' forecastd cannot choose along")
                }
            }
        }
        if let depth, depth > 10, field.depth == nil {
            throw FieldSelectionError.noSuchDepth(path: path, variable: name, requested: depth, levels: [])
        }
        let attributes = try variable.attributes()
        field.units = attributes["units"]?.text ?? ""
        field.standardName = attributes["standard_name"]?.text
        field.latitudes = try dataset.axis(.latitude, of: variable)?.values ?? []
        field.longitudes = try dataset.axis(.longitude, of: variable)?.values ?? []
        field.values = try dataset.read(variable, start: start, count: count)
        return field
    }

    /// The index of the chosen time, its date, and its lead day (when the file has a forecast reference time).
    private static func timeIndex(_ dataset: CFDataset, _ variable: Variable, choice: TimeChoice) throws -> (Int, CFDateTime, Int?) {
        guard let axis = try dataset.timeAxis(of: variable) else {
            throw FieldSelectionError.notAMap(path: dataset.path, variable: variable.name, detail: "has a time dimension without CF time units")
        }
        let dates = axis.dates
        let reference = try ForecastReference.time(of: dataset)
        func lead(_ date: CFDateTime) -> Int? { reference.flatMap { SkillVerification.leadDay(date, from: $0) } }
        let available = dates.isEmpty ? "no times"
            : "\(dates.count) times, \(dates.first!) to \(dates.last!)" + (reference.map { " (reference time \($0))" } ?? "")
        let index: Int?
        switch choice {
        case .index(let i): index = dates.indices.contains(i) ? i : nil
        case .date(let wanted): index = dates.firstIndex { SkillVerification.sameTime($0, wanted) }
        case .leadDay(let day): index = dates.firstIndex { lead($0) == day }
        }
        guard let index else {
            throw FieldSelectionError.noSuchTime(path: dataset.path, variable: variable.name, requested: choice.description, available: available)
        }
        return (index, dates[index], lead(dates[index]))
    }
}

/// A forecast file's reference (initial) time: its `forecast_reference_time` variable, as CF names it.
enum ForecastReference {
    static func time(of dataset: CFDataset) throws -> CFDateTime? {
        guard let variable = dataset.variables.first(where: { $0.name == "forecast_reference_time" }),
              variable.dimensions.isEmpty else { return nil }
        let attributes = try variable.attributes()
        guard let units = CFTimeUnits(units: attributes["units"]?.text ?? "",
                                      calendar: CFCalendar(attribute: attributes["calendar"]?.text ?? "standard") ?? .standard),
              let value = try variable.readRaw().first, value.isFinite else { return nil }
        return units.date(value)
    }
}
