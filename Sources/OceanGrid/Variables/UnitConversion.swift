import Foundation
/// The units forecastd computes in, and every spelling of a unit it converts from. A variable forecastd needs in
/// a unit it cannot convert ("degF", "furlongs per fortnight") is refused rather than read as if it were right.
public enum PhysicalQuantity: String, Sendable, CaseIterable {
    case seaTemperature, salinity, velocity, seaLevel, airTemperature, pressure, radiation, precipitation

    /// The unit forecastd computes in.
    public var unit: String {
        switch self {
        case .seaTemperature: "degC"
        case .salinity: "1e-3"
        case .velocity: "m s-1"
        case .seaLevel: "m"
        case .airTemperature: "K"
        case .pressure: "Pa"
        case .radiation: "W m-2"
        case .precipitation: "kg m-2 s-1"
        }
    }

    /// Spellings (after ``normalised(_:)``) and the scale and offset that bring a value to ``unit``.
    var spellings: [(names: Set<String>, scale: Float, offset: Float)] {
        let celsius: Set = ["degc", "degreesc", "degreec", "deg_c", "degrees_c", "degree_c", "celsius", "degreescelsius", "c"]
        let kelvin: Set = ["k", "kelvin", "degk", "deg_k", "degrees_k", "degree_k", "degreesk"]
        let metresPerSecond: Set = ["ms-1", "m/s", "ms^-1", "meterssecond-1", "metersecond-1", "metres/second", "meters/second"]
        switch self {
        case .seaTemperature: return [(celsius, 1, 0), (kelvin, 1, -273.15)]
        case .salinity:
            return [(["1e-3", "0.001", "psu", "pss", "pss-78", "practical_salinity_units", "1", "g/kg", "gkg-1", "ppt", "‰"], 1, 0)]
        case .velocity: return [(metresPerSecond, 1, 0), (["cms-1", "cm/s", "cms^-1"], 0.01, 0)]
        case .seaLevel: return [(["m", "meter", "meters", "metre", "metres"], 1, 0), (["cm", "centimeters", "centimetres"], 0.01, 0)]
        case .airTemperature: return [(kelvin, 1, 0), (celsius, 1, 273.15)]
        case .pressure: return [(["pa", "pascal", "pascals"], 1, 0), (["hpa", "mbar", "mb", "millibars"], 100, 0)]
        case .radiation:
            return [(["wm-2", "w/m2", "w/m^2", "wm^-2"], 1, 0)]
        case .precipitation:
            return [(["kgm-2s-1", "kg/m2/s", "kgm^-2s^-1", "mm/s", "mms-1"], 1, 0),
                    (["mm/day", "mmday-1", "kgm-2day-1", "mm/d", "mmd-1"], 1 / 86_400, 0)]
        }
    }

    /// Spellings of an amount accumulated over a period (ERA5's `ssr` in J m-2, `tp` in m of water), and what one
    /// unit of it is in ``unit`` times seconds: the rate is value * `perSecond` / period. Which period is not in
    /// the unit, and a wrong guess scales the field by 24 (hourly against daily accumulations), so a conversion
    /// needs it stated (``requireConversion(from:path:variable:accumulation:)``).
    var accumulatedSpellings: (names: Set<String>, perSecond: Float)? {
        switch self {
        case .radiation: (["jm-2", "j/m2", "jm^-2"], 1)
        case .precipitation: (["m", "mofwaterequivalent"], 1000)
        default: nil
        }
    }

    /// A unit written for comparison: lower case, without spaces, dots or `**`/`^` before exponents.
    static func normalised(_ units: String) -> String {
        units.lowercased().replacingOccurrences(of: "**", with: "^").replacingOccurrences(of: "^-", with: "-")
            .filter { $0 != " " && $0 != "." }
    }

    /// True when `a` and `b` spell the same unit ("degrees_C" and "degC"), so that values in them compare as they are.
    public static func sameUnit(_ a: String, _ b: String) -> Bool {
        let x = normalised(a), y = normalised(b)
        return x == y || allCases.contains { quantity in
            quantity.spellings.contains { $0.names.contains(x) && $0.names.contains(y) }
        }
    }

    /// The scale and offset bringing a value in `units` to ``unit``, nil when forecastd does not know `units`
    /// for this quantity. Missing units are taken as ``unit``.
    public func conversion(from units: String) -> (scale: Float, offset: Float)? {
        let key = Self.normalised(units)
        if key.isEmpty { return (1, 0) }
        return spellings.first { $0.names.contains(key) }.map { ($0.scale, $0.offset) }
    }

    /// Like ``conversion(from:)``, but an unknown unit is an error naming the file and variable; `note` says what
    /// was converted, for the log. An accumulated amount (J m-2, m of water) is converted over `accumulation`, its
    /// period in seconds, and refused when that is nil.
    public func requireConversion(from units: String, path: String, variable: String,
                                  accumulation: AccumulationPeriod? = nil) throws -> (scale: Float, offset: Float, note: String?) {
        if let accumulated = accumulatedSpellings, accumulated.names.contains(Self.normalised(units)) {
            guard let accumulation else {
                throw ForecastError.inputData(path: path, variable: variable, detail: """
                    is in '\(units)', an amount accumulated over a period the file does not state; forecastd does not guess it \
                    (hourly and daily accumulations differ 24-fold): give the accumulation period (--accumulation-period 1h for \
                    ERA5's daily statistics of hourly data, 24h for daily sums) or a cell_methods 'time: sum (interval: 1 hour)'
                    """)
            }
            return (accumulated.perSecond / Float(accumulation.seconds), 0,
                    "\(variable) is in \(units) accumulated over \(accumulation) (\(accumulation.source)); converted to \(unit)")
        }
        guard let (scale, offset) = conversion(from: units) else {
            throw ForecastError.inputData(path: path, variable: variable, detail: """
                has units '\(units)', which forecastd cannot convert to \(unit) (write one of its spellings, e.g. \(unit))
                """)
        }
        let trimmed = units.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return (scale, offset, "warning: \(variable) has no units attribute; taken as \(unit)") }
        return (scale, offset, scale == 1 && offset == 0 ? nil : "warning: \(variable) is in \(trimmed); converted to \(unit)")
    }
}

/// The period an accumulated forcing field (J m-2, m of water) sums over, and who said so.
public struct AccumulationPeriod: Sendable, Equatable, CustomStringConvertible {
    /// The period in seconds.
    public let seconds: Double
    /// Where it comes from: "stated by the request" or the file's cell_methods.
    public let source: String

    public init(seconds: Double, source: String) {
        self.seconds = seconds
        self.source = source
    }

    /// Periods a forcing may state: a minute to a month.
    public static let secondsRange = 60.0...(31 * 86_400.0)

    /// `1h`, `3h`, `24h`, `1d`, `3600s` or `90min`; nil for anything else or outside ``secondsRange``.
    public init?(parsing text: String, source: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(suffix: String, seconds: Double)] = [("min", 60), ("s", 1), ("h", 3_600), ("d", 86_400)]
        guard let unit = units.first(where: { trimmed.hasSuffix($0.suffix) }),
              let count = Double(trimmed.dropLast(unit.suffix.count).trimmingCharacters(in: .whitespaces)),
              Self.secondsRange.contains(count * unit.seconds) else { return nil }
        self.init(seconds: count * unit.seconds, source: source)
    }

    /// The period a CF `cell_methods` attribute states for a sum over time, e.g. "time: sum (interval: 1 hour)";
    /// nil when it states none.
    public init?(cellMethods: String) {
        let text = cellMethods.lowercased()
        guard let sum = text.range(of: "sum"), let range = text.range(of: "interval:", range: sum.upperBound..<text.endIndex) else {
            return nil
        }
        let words = text[range.upperBound...].split(whereSeparator: { $0 == " " || $0 == ")" }).prefix(2).map(String.init)
        let names: [String: Double] = ["second": 1, "seconds": 1, "s": 1, "minute": 60, "minutes": 60, "min": 60,
                                       "hour": 3_600, "hours": 3_600, "h": 3_600, "hr": 3_600, "day": 86_400, "days": 86_400, "d": 86_400]
        guard words.count == 2, let count = Double(words[0]), let unit = names[words[1]],
              Self.secondsRange.contains(count * unit) else { return nil }
        self.init(seconds: count * unit, source: "cell_methods '\(cellMethods)'")
    }

    public var description: String {
        seconds.truncatingRemainder(dividingBy: 3_600) == 0 ? "\(Int(seconds / 3_600)) h" : "\(Int(seconds)) s"
    }
}
