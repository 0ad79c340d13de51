/// What a coordinate measures.
public enum CFAxisKind: String, Sendable, CaseIterable {
    case time, depth, latitude, longitude
    /// The members of an ensemble (CF's `realization`; ERA5's `number`).
    case realization
}

/// A decoded 1-D coordinate: its values (depth normalised to positive down), found by CF metadata rather than
/// by name alone.
public struct CFAxis: Sendable, Equatable {
    /// What it measures.
    public let kind: CFAxisKind
    /// The coordinate variable's (and dimension's) name in the file.
    public let name: String
    /// Values; depths positive down, whatever the file's `positive` attribute said; longitudes continuous
    /// across a 360-degree wrap.
    public let values: [Double]
    /// True when the file stored depth positive up (the values were negated).
    public let flippedToPositiveDown: Bool

    /// True when the values decrease (e.g. latitudes from north to south).
    public var isDescending: Bool { values.count > 1 && values[1] < values[0] }

    /// True when longitudes use 0..360 rather than -180..180.
    public var usesPositiveLongitudes: Bool { kind == .longitude && (values.max() ?? 0) > 180 }

    /// A longitude mapped to [-180, 180).
    public static func signedLongitude(_ value: Double) -> Double {
        let v = (value + 180).truncatingRemainder(dividingBy: 360)
        return (v < 0 ? v + 360 : v) - 180
    }

    /// Longitudes made continuous across a 360-degree wrap (350, 355, 0, 5 becomes 350, 355, 360, 365), so a
    /// grid that crosses the prime meridian or the antimeridian counts as monotonic.
    public static func unwrappedLongitudes(_ values: [Double]) -> [Double] {
        var out = values
        for i in out.indices.dropFirst() {
            while out[i] - out[i - 1] < -180 { out[i] += 360 }
            while out[i] - out[i - 1] > 180 { out[i] -= 360 }
        }
        return out
    }

    /// Classifies a variable as a coordinate from its standard_name, units, axis and, last, its name.
    static func classify(name: String, attributes: [String: AttributeValue]) -> CFAxisKind? {
        let standardName = attributes["standard_name"]?.text?.lowercased() ?? ""
        let units = attributes["units"]?.text?.lowercased() ?? ""
        let axis = attributes["axis"]?.text?.uppercased() ?? ""
        let lowered = name.lowercased()
        switch standardName {
        case "time": return .time
        case "depth", "depth_below_geoid", "depth_below_sea_floor", "sea_floor_depth": return .depth
        case "latitude", "grid_latitude": return .latitude
        case "longitude", "grid_longitude": return .longitude
        case "realization": return .realization
        default: break
        }
        if ["degrees_north", "degree_north", "degree_n", "degrees_n", "degreen", "degreesn"].contains(units) { return .latitude }
        if ["degrees_east", "degree_east", "degree_e", "degrees_e", "degreee", "degreese"].contains(units) { return .longitude }
        if units.contains(" since ") { return .time }
        switch axis {
        case "T": return .time
        case "Z": return .depth
        case "Y": return .latitude
        case "X": return .longitude
        case "E": return .realization
        default: break
        }
        if attributes["positive"] != nil { return .depth }
        switch lowered {
        case "time", "time_counter", "t": return .time
        case "depth", "deptht", "depthu", "depthv", "depthw", "lev", "level", "z", "nav_lev": return .depth
        case "latitude", "lat", "nav_lat", "y": return .latitude
        case "longitude", "lon", "nav_lon", "x": return .longitude
        case "realization", "realisation", "number", "member", "ensemble", "ensemble_member", "ens": return .realization
        default: return nil
        }
    }
}

/// A decoded time coordinate.
public struct CFTimeAxis: Sendable, Equatable {
    /// The coordinate's name in the file.
    public let name: String
    /// Units and calendar.
    public let units: CFTimeUnits
    /// Stored values (in `units`).
    public let values: [Double]

    /// The dates.
    public var dates: [CFDateTime] { values.map(units.date) }
}
