import Foundation
import NetCDF

/// The content of a NetCDF file as `forecastd inspect` shows it.
struct FileReport: Codable, JSONReport {
    struct DimensionEntry: Codable {
        var name: String
        var length: Int
        var unlimited: Bool
    }

    struct Statistics: Codable {
        var min: Double?
        var mean: Double?
        var max: Double?
        var nanCount: Int
        var count: Int
        /// Whether the values match the `forecastd_checksum` forecastd wrote (nil: the variable has none).
        var contentChecksum: String?
    }

    struct VariableEntry: Codable {
        var name: String
        var type: String
        var dimensions: [String]
        var shape: [Int]
        var standardName: String?
        var units: String?
        var longName: String?
        var packed: Bool
        var axis: String?
        var statistics: Statistics?
    }

    struct AxisEntry: Codable {
        var kind: String
        var name: String
        var count: Int
        var first: Double
        var last: Double
        var note: String?
    }

    struct TimeEntry: Codable {
        var name: String
        var units: String
        var calendar: String
        var count: Int
        var first: String
        var last: String
        /// Why the values are not dates, when they are not.
        var undecodable: String?
    }

    var path: String
    var format: String
    var dimensions: [DimensionEntry]
    var variables: [VariableEntry]
    var axes: [AxisEntry]
    var time: TimeEntry?
    var attributes: [String: String]

    init(path: String) throws {
        let dataset = try CFDataset(path: path)
        self.path = path
        format = try dataset.file.format()
        dimensions = try dataset.file.root.dimensions().map { DimensionEntry(name: $0.name, length: $0.length, unlimited: $0.isUnlimited) }
        attributes = try dataset.file.root.attributes().mapValues { $0.text ?? $0.description }
        variables = []
        axes = []
        var seenAxes = Set<String>()
        for variable in dataset.variables {
            let attributes = try variable.attributes()
            let packing = try CFPacking(variable: variable)
            let kinds = try dataset.axisKinds(of: variable)
            let isCoordinate = variable.dimensions.count == 1 && variable.dimensions[0].name == variable.name
            var entry = VariableEntry(name: variable.name, type: variable.type.description,
                                      dimensions: variable.dimensions.map(\.name), shape: variable.shape,
                                      standardName: attributes["standard_name"]?.text, units: attributes["units"]?.text,
                                      longName: attributes["long_name"]?.text, packed: packing.isPacked,
                                      axis: isCoordinate ? kinds.first??.rawValue : nil)
            if variable.type.isNumeric { entry.statistics = try Self.statistics(dataset, variable) }
            variables.append(entry)
            for kind in [CFAxisKind.depth, .latitude, .longitude] where kinds.contains(kind) {
                guard let axis = try dataset.axis(kind, of: variable), !seenAxes.contains(axis.name),
                      let first = axis.values.first, let last = axis.values.last else { continue }
                seenAxes.insert(axis.name)
                var note: String?
                if axis.flippedToPositiveDown { note = "stored positive up; shown positive down" }
                if kind == .longitude { note = axis.usesPositiveLongitudes ? "0..360 convention" : "-180..180 convention" }
                axes.append(AxisEntry(kind: kind.rawValue, name: axis.name, count: axis.values.count, first: first, last: last, note: note))
            }
            if time == nil { time = try Self.time(of: variable, in: dataset) }
        }
    }

    /// The time coordinate of `variable`, its dates when its units are CF time, else its stored values with the
    /// reason they are not dates (Veros writes units "days" with no reference date).
    static func time(of variable: Variable, in dataset: CFDataset) throws -> TimeEntry? {
        guard let stored = try dataset.storedTime(of: variable), let firstValue = stored.values.first, let lastValue = stored.values.last else { return nil }
        do {
            guard let t = try dataset.timeAxis(of: variable), let first = t.dates.first, let last = t.dates.last else { return nil }
            return TimeEntry(name: t.name, units: t.units.description, calendar: t.units.reference.calendar.rawValue,
                             count: t.values.count, first: first.description, last: last.description)
        } catch NetCDFError.badAttribute(_, _, "units", _) {
            return TimeEntry(name: stored.name, units: stored.units, calendar: stored.attributes["calendar"]?.text ?? "standard",
                             count: stored.values.count, first: "\(firstValue)", last: "\(lastValue)",
                             undecodable: "units '\(stored.units)' have no reference date: the values are not dates")
        }
    }

    /// Decoded statistics, read one outermost index at a time so memory stays bounded.
    static func statistics(_ dataset: CFDataset, _ variable: Variable) throws -> Statistics {
        var count = 0, nans = 0, sum = 0.0
        var low = Double.infinity, high = -Double.infinity
        let matches = try dataset.forEachSlab(of: variable, checksum: .report) { slab in
            for v in slab {
                count += 1
                if v.isNaN { nans += 1; continue }
                let d = Double(v)
                sum += d
                low = min(low, d)
                high = max(high, d)
            }
        }
        let valid = count - nans
        return Statistics(min: valid > 0 ? low : nil, mean: valid > 0 ? sum / Double(valid) : nil,
                          max: valid > 0 ? high : nil, nanCount: nans, count: count,
                          contentChecksum: matches.map { $0 ? "matches" : "differs: modified after forecastd wrote it" })
    }

    func text() -> String {
        var lines = ["\(path) (\(format))", "dimensions:"]
        lines += dimensions.map { "  \($0.name) = \($0.length)\($0.unlimited ? " (unlimited)" : "")" }
        lines.append("variables:")
        for v in variables {
            var line = "  \(v.type) \(v.name)(\(v.dimensions.joined(separator: ", ")))"
            if let s = v.standardName { line += " standard_name=\(s)" }
            if let u = v.units { line += " units=\(u)" }
            if v.packed { line += " packed" }
            lines.append(line)
            if let s = v.statistics {
                let f = { (x: Double?) in x.map { String(format: "%.6g", $0) } ?? "-" }
                lines.append("      min \(f(s.min))  mean \(f(s.mean))  max \(f(s.max))  NaN \(s.nanCount) of \(s.count)"
                             + (s.contentChecksum.map { "  content checksum \($0)" } ?? ""))
            }
        }
        if !axes.isEmpty {
            lines.append("coordinates:")
            lines += axes.map { "  \($0.kind) \($0.name): \($0.count) values, \($0.first) .. \($0.last)" + ($0.note.map { " (\($0))" } ?? "") }
        }
        if let t = time {
            lines.append("time: \(t.name), \(t.count) steps, \(t.first) .. \(t.last) (\(t.units), \(t.calendar))"
                         + (t.undecodable.map { "; undecodable: \($0)" } ?? ""))
        }
        if !attributes.isEmpty {
            lines.append("global attributes:")
            lines += attributes.keys.sorted().map { "  \($0) = \(attributes[$0] ?? "")" }
        }
        return lines.joined(separator: "\n")
    }
}
