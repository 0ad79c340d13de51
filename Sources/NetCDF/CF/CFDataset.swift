/// A NetCDF file read the CF way: coordinates recognised by their metadata, variables decoded (packing,
/// fill and valid range) into Float32 with NaN for missing data, times in their calendar.
public struct CFDataset: Sendable {
    /// The file.
    public let file: NetCDFFile
    /// The root group's variables.
    public let variables: [Variable]

    /// The file's path.
    public var path: String { file.path }

    /// Opens `path` (see ``NetCDFFile/open(_:)`` for the errors).
    public init(path: String) throws {
        file = try NetCDFFile.open(path)
        variables = try file.root.variables()
    }

    /// The variable called `name`.
    public func variable(_ name: String) throws -> Variable {
        guard let v = variables.first(where: { $0.name == name }) else {
            throw NetCDFError.variableMissing(path: path, variable: name, available: variables.map(\.name))
        }
        return v
    }

    /// What each dimension of `variable` is (nil where no coordinate describes it).
    public func axisKinds(of variable: Variable) throws -> [CFAxisKind?] {
        try variable.dimensions.map { dimension in
            if let coordinate = variables.first(where: { $0.name == dimension.name && $0.dimensions.count == 1 }) {
                if let kind = CFAxis.classify(name: coordinate.name, attributes: try coordinate.attributes()) { return kind }
            }
            return CFAxis.classify(name: dimension.name, attributes: [:])
        }
    }

    /// Checks that `variable`'s dimensions are exactly `expected`, in that order.
    public func requireDimensions(_ variable: Variable, _ expected: [CFAxisKind]) throws {
        let kinds = try axisKinds(of: variable)
        guard kinds == expected else {
            let found = zip(variable.dimensions, kinds).map { "\($0.name)" + ($1.map { ":\($0.rawValue)" } ?? "") }
            throw NetCDFError.wrongShape(path: path, variable: variable.name,
                                         expected: "(" + expected.map(\.rawValue).joined(separator: ", ") + ")",
                                         found: "(" + found.joined(separator: ", ") + ")")
        }
    }

    /// The coordinate of `kind` among `variable`'s dimensions, decoded and checked for strict monotonicity.
    public func axis(_ kind: CFAxisKind, of variable: Variable) throws -> CFAxis? {
        let kinds = try axisKinds(of: variable)
        guard let index = kinds.firstIndex(of: kind) else { return nil }
        let dimension = variable.dimensions[index]
        guard let coordinate = variables.first(where: { $0.name == dimension.name && $0.dimensions.count == 1 }) else {
            return CFAxis(kind: kind, name: dimension.name, values: (0..<dimension.length).map(Double.init),
                          flippedToPositiveDown: false)
        }
        var values = try decodedDoubles(coordinate)
        if values.contains(where: \.isNaN) {
            throw NetCDFError.badCoordinate(path: path, variable: coordinate.name, problem: "has missing values")
        }
        if let limit = Self.coordinateLimits[kind], let index = values.firstIndex(where: { !(abs($0) <= limit) }) {
            throw NetCDFError.badCoordinate(path: path, variable: coordinate.name,
                                           problem: "value \(values[index]) at index \(index) is outside -\(limit)...\(limit)")
        }
        var flipped = false
        if kind == .depth, try coordinate.attributes()["positive"]?.text?.lowercased() == "up" {
            values = values.map { -$0 }
            flipped = true
        }
        if kind == .longitude { values = CFAxis.unwrappedLongitudes(values) }
        try Self.requireMonotonic(values, path: path, name: coordinate.name)
        return CFAxis(kind: kind, name: coordinate.name, values: values, flippedToPositiveDown: flipped)
    }

    /// The time coordinate of `variable`, with its units and calendar; throws ``NetCDFError/badAttribute(path:variable:attribute:problem:)``
    /// for units that are not CF time ("days" with no reference date: see ``storedTime(of:)``).
    public func timeAxis(of variable: Variable) throws -> CFTimeAxis? {
        guard let stored = try storedTime(of: variable) else { return nil }
        let calendarText = stored.attributes["calendar"]?.text ?? "standard"
        guard let calendar = CFCalendar(attribute: calendarText) else {
            throw NetCDFError.badAttribute(path: path, variable: stored.name, attribute: "calendar",
                                           problem: "unknown calendar '\(calendarText)'; known: standard, gregorian, "
                                               + "proleptic_gregorian, noleap, 365_day, all_leap, 366_day, 360_day")
        }
        guard let units = CFTimeUnits(units: stored.units, calendar: calendar) else {
            throw NetCDFError.badAttribute(path: path, variable: stored.name, attribute: "units",
                                           problem: "'\(stored.units)' is not '<seconds|minutes|hours|days> since <date>'"
                                               + " in the \(calendar.rawValue) calendar")
        }
        let reach = Self.timeReachSeconds / units.secondsPerUnit
        if let index = stored.values.firstIndex(where: { !(abs($0) <= reach) }) {
            throw NetCDFError.badCoordinate(path: path, variable: stored.name, problem: "value \(stored.values[index]) at index \(index) is "
                                           + "missing or more than 100,000 years from \(units.reference)")
        }
        try Self.requireMonotonic(stored.values, path: path, name: stored.name, increasing: true)
        return CFTimeAxis(name: stored.name, units: units, values: stored.values)
    }

    /// The time coordinate of `variable` as stored, whatever its units say (Veros writes "days" with no
    /// reference date): its name, units text, attributes and decoded values; nil without a time dimension.
    public func storedTime(of variable: Variable) throws -> (name: String, units: String, attributes: [String: AttributeValue], values: [Double])? {
        let kinds = try axisKinds(of: variable)
        guard let index = kinds.firstIndex(of: .time) else { return nil }
        let name = variable.dimensions[index].name
        let coordinate = try self.variable(name)
        let attributes = try coordinate.attributes()
        return (name, attributes["units"]?.text ?? "", attributes, try decodedDoubles(coordinate))
    }

    /// How far from their reference date time values may lie (100,000 years): every date computed from them
    /// stays exact and within integer range.
    static let timeReachSeconds = 1e5 * 365.25 * 86_400

    /// The largest magnitude a spatial coordinate may have: latitudes within the poles, longitudes within two
    /// turns either way (so that unwrapping across the date line takes a few steps), depths within 20 km.
    static let coordinateLimits: [CFAxisKind: Double] = [.latitude: 90, .longitude: 720, .depth: 20_000]

    /// Decoded values of a variable in Float64 (for coordinates).
    func decodedDoubles(_ variable: Variable) throws -> [Double] {
        let packing = try CFPacking(variable: variable)
        return try variable.readRaw().map(packing.decode)
    }

    static func requireMonotonic(_ values: [Double], path: String, name: String, increasing: Bool = false) throws {
        guard values.count > 1 else { return }
        let up = zip(values, values.dropFirst()).allSatisfy { $0 < $1 }
        let down = zip(values, values.dropFirst()).allSatisfy { $0 > $1 }
        guard up || (down && !increasing) else {
            throw NetCDFError.badCoordinate(path: path, variable: name,
                                           problem: increasing ? "not strictly increasing" : "not strictly monotonic")
        }
    }

    /// Decoded values of the hyperslab `start`/`count` of `variable` into `output` (Float32, NaN where missing).
    /// A netCDF-4 file's chunks are decoded as `parallel` runs them (``ChunkedRead``; default: one after another).
    public func read(_ variable: Variable, start: [Int], count: [Int], into output: UnsafeMutableBufferPointer<Float>,
                     parallel: ChunkStore.ParallelTasks = ChunkStore.serial) throws {
        let packing = try CFPacking(variable: variable)
        if ChunkedRead.read(variable, start: start, count: count, packing: packing, into: output, parallel: parallel) { return }
        if variable.type == .float {
            try variable.readFloats(start: start, count: count, into: output)
            packing.decode(inPlace: output)
        } else {
            packing.decode(try variable.readRaw(start: start, count: count), into: output)
        }
    }

    /// Decoded values of the hyperslab as a new array.
    public func read(_ variable: Variable, start: [Int], count: [Int],
                     parallel: ChunkStore.ParallelTasks = ChunkStore.serial) throws -> [Float] {
        var out = [Float](repeating: 0, count: count.reduce(1, *))
        try out.withUnsafeMutableBufferPointer { try read(variable, start: start, count: count, into: $0, parallel: parallel) }
        return out
    }
}
