import NetCDF
/// One variable of a forecast file, described in CF terms.
public struct ForecastVariable: Sendable, Equatable {
    /// Name in the file (`thetao`).
    public var name: String
    /// CF standard name.
    public var standardName: String
    /// CF units.
    public var units: String
    /// Human-readable name.
    public var longName: String
    /// True for (time, depth, latitude, longitude) variables, false for (time, latitude, longitude).
    public var hasDepth: Bool
    /// Physical range covered when the file is packed to int16 (values outside are clamped to it).
    public var packingRange: ClosedRange<Double>

    public init(name: String, standardName: String, units: String, longName: String, hasDepth: Bool,
                packingRange: ClosedRange<Double>) {
        self.name = name
        self.standardName = standardName
        self.units = units
        self.longName = longName
        self.hasDepth = hasDepth
        self.packingRange = packingRange
    }
}

/// How forecast variables are stored.
public enum ForecastEncoding: String, Sendable, CaseIterable, Codable {
    /// 32-bit floats, `_FillValue` 1e20.
    case float32
    /// 16-bit integers with `scale_factor` / `add_offset` computed from each variable's packing range,
    /// `_FillValue` -32767.
    case int16
}

/// Everything that defines a forecast file before its first day is written.
public struct ForecastLayout: Sendable {
    /// Latitudes (degrees north) and longitudes (degrees east) of the grid.
    public var latitudes: [Double]
    public var longitudes: [Double]
    /// Depth levels (m, positive down); empty when no variable has depth.
    public var depths: [Double]
    /// The variables.
    public var variables: [ForecastVariable]
    /// The initial time the forecast starts from.
    public var referenceTime: CFDateTime
    /// Storage of the variables.
    public var encoding: ForecastEncoding = .float32
    /// Deflate level, one of ``deflateLevels`` (0: none); shuffle is on whenever deflate is.
    public var deflateLevel = 4
    /// Threads that compress a day's chunks (``ForecastWriter/writeDay(leadHours:fields:)``).
    public var writerThreads = 1
    /// Significant bits kept of a float32 variable, by name (netCDF-C's BitRound); absent: lossless.
    public var quantizeBits: [String: Int] = [:]
    /// Global attributes.
    public var title = "forecastd ocean forecast"
    public var institution = ""
    /// Model name and version, e.g. "forecastd 0.1.0, model weights-sample".
    public var source = "forecastd"
    /// History line: UTC time stamp and command line.
    public var history = ""
    /// What the forecast was computed from (``InputIdentity``), recorded when set.
    public var inputs: String?
    /// The network's precision ("fp32", "bf16") and the instruction path its kernels took, recorded when set
    /// (attributes forecastd_precision and forecastd_instruction_path).
    public var precision: String?, instructionPath: String?
    public var references = ""
    /// The ensemble member this file holds (1-based), written as CF's scalar `realization` coordinate; nil for a
    /// deterministic forecast or an ensemble statistic.
    public var realization: Int?
    /// What the file is within an ensemble ("member 3 of 32, gaussian perturbation, ...", "mean of 32 members"),
    /// recorded as the attribute forecastd_ensemble when set.
    public var ensemble: String?

    public init(latitudes: [Double], longitudes: [Double], depths: [Double], variables: [ForecastVariable],
                referenceTime: CFDateTime) {
        self.latitudes = latitudes
        self.longitudes = longitudes
        self.depths = depths
        self.variables = variables
        self.referenceTime = referenceTime
    }

    /// The deflate levels netCDF-4 accepts.
    public static let deflateLevels = 0...9

    /// The time units forecast files use (CMEMS's).
    public static let timeUnits = CFTimeUnits(unit: "hours", secondsPerUnit: 3600,
                                              since: CFDateTime(year: 1950, month: 1, day: 1, calendar: .standard))

    /// Fill value of float32 variables (finite, as NCO and cdo prefer).
    public static let floatFill: Float = 1e20
    /// Fill value of int16 variables.
    public static let shortFill: Int16 = -32767

    /// Scale and offset that map `range` onto -32766...32766.
    public static func packing(_ range: ClosedRange<Double>) -> (scale: Double, offset: Double) {
        let span = max(range.upperBound - range.lowerBound, .ulpOfOne)
        return (span / 65532, (range.upperBound + range.lowerBound) / 2)
    }
}

extension ForecastLayout {
    /// How `variable`'s float32 values are stored: NaN as ``floatFill``, the rest rounded to the variable's
    /// ``quantizeBits`` (kept whole without).
    public func storedFloats(_ variable: String) -> StoredFloats {
        StoredFloats(fill: Self.floatFill, keeping: quantizeBits[variable] ?? 23)
    }
}
