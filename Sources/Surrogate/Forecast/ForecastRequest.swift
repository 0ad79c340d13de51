import Foundation
import NetCDF
import OceanGrid
import Tensor

/// Everything a forecast is asked to do, whichever front end asked: `forecastd run`, a batch task or a job of the
/// daemon. Front ends only translate their own syntax (flags, a manifest line, JSON) into this; ``validate()``
/// holds every rule once, and its errors name fields by ``Field`` so that each front end can word them in its
/// own syntax.
public struct ForecastRequest: Sendable, Equatable {
    /// The request's fields by neutral names (the daemon's JSON input names).
    public enum Field: String, Sendable, CaseIterable {
        case model, initial = "init", forcing, output, days, deflate, pack, forcingMode = "forcing_mode", variables, start, precision,
             quantize, accumulationPeriod = "accumulation_period", members, perturbation, seed,
             perturbationScale = "perturbation_scale", ensembleStatistics = "ensemble_statistics"
    }

    /// Forecast lengths a request may ask for, in days.
    public static let dayRange = 1...366
    /// Significant bits BitRound may keep of a float32 (whose mantissa has 23).
    public static let quantizeBitsRange = 1...23

    public var model: String
    public var initial: String
    public var forcing: String
    public var output: String
    public var days = 15
    /// One file per day (`NAME_day01.nc` ...) instead of one file for the whole forecast.
    public var perDayFiles = false
    /// How per-day files are named.
    public var dayFileNames: DayFileNames = .numbered
    public var encoding: ForecastEncoding = .float32
    public var deflateLevel = 1
    /// Variable names in the initial-state file, overriding the lookup (`thetao` -> `votemper`).
    public var stateNames: [OceanVariable: String] = [:]
    public var forcingMode: ForcingMode = .strict
    /// The init file's time to start from ("2024-03-01"); needed when it holds several times (see ``StartTime``).
    public var start: String?
    /// The network's precision; nil leaves it to the model (its config.json's declaration, else fp32).
    public var precision: PrecisionChoice?
    /// Significant bits of the float32 output kept per state variable (netCDF-C's BitRound quantization, recorded
    /// as `_QuantizeBitRoundNumberOfSignificantBits`); variables absent here are stored losslessly.
    public var quantizeBits: [OceanVariable: Int] = [:]
    /// The period the forcing's accumulated fields (J m-2, m of water) sum over, when the file does not state it.
    public var accumulation: AccumulationPeriod?
    /// Members, perturbations and statistics of an ensemble forecast (one member: a deterministic forecast).
    public var ensemble = EnsembleOptions()
    /// Record the inputs' identity (``InputIdentity``) in the output, so that a batch can tell whether an existing
    /// output was computed from the same files.
    public var recordInputs = false
    /// The output's `history` attribute (time stamp and what asked for the forecast).
    public var history = ""

    public init(model: String, initial: String, forcing: String, output: String) {
        self.model = model
        self.initial = initial
        self.forcing = forcing
        self.output = output
    }

    /// Throws the first rule the request breaks.
    public func validate() throws {
        for (field, path) in [(Field.model, model), (.initial, initial), (.forcing, forcing), (.output, output)] where path.isEmpty {
            throw ForecastRequestError(field: field, problem: "is empty; it must name a file or folder")
        }
        try validateOptions()
        for (field, input) in [(Field.initial, initial), (.forcing, forcing)] {
            for file in ensemble.outputs(output).map(\.path) {
                do { try AtomicOutput.requireDistinct(file, from: [input]) } catch {
                    throw ForecastRequestError(field: .output, problem: "'\(file)' is the \(field.rawValue) file; the forecast would replace its own input")
                }
            }
        }
    }

    /// Throws the first rule broken by the options, the part of a request that does not name files (what a batch
    /// checks once for all of its forecasts).
    public func validateOptions() throws {
        guard Self.dayRange.contains(days) else {
            throw ForecastRequestError(field: .days, problem: "must be \(Self.dayRange.lowerBound) to \(Self.dayRange.upperBound), got \(days)")
        }
        guard ForecastLayout.deflateLevels.contains(deflateLevel) else {
            throw ForecastRequestError(field: .deflate, problem: "must be \(ForecastLayout.deflateLevels.lowerBound)-"
                                       + "\(ForecastLayout.deflateLevels.upperBound), got \(deflateLevel)")
        }
        if let start, CFDateTime(parsing: start) == nil {
            throw ForecastRequestError(field: .start, problem: "'\(start)' is not a date such as 2024-03-01 or 2024-03-01T12:00:00")
        }
        if let name = stateNames.values.first(where: \.isEmpty) {
            throw ForecastRequestError(field: .variables, problem: "name '\(name)' is empty")
        }
        for (variable, bits) in quantizeBits.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !Self.quantizeBitsRange.contains(bits) {
            throw ForecastRequestError(field: .quantize, problem: "keeps \(Self.quantizeBitsRange.lowerBound) to "
                                       + "\(Self.quantizeBitsRange.upperBound) significant bits, got \(bits) for \(variable.rawValue)")
        }
        guard EnsembleOptions.memberRange.contains(ensemble.members) else {
            throw ForecastRequestError(field: .members, problem: "must be \(EnsembleOptions.memberRange.lowerBound) to "
                                       + "\(EnsembleOptions.memberRange.upperBound), got \(ensemble.members)")
        }
        for amplitude in [ensemble.amplitude] + ensemble.variableAmplitudes.values where !EnsembleOptions.amplitudeRange.contains(amplitude) {
            throw ForecastRequestError(field: .perturbationScale, problem: "must be \(EnsembleOptions.amplitudeRange.lowerBound) to "
                                       + "\(EnsembleOptions.amplitudeRange.upperBound) (times the model's daily change), got \(amplitude)")
        }
        if ensemble.perturbation == .bred && ensemble.members > 1 && days < EnsembleOptions.breedingDays {
            throw ForecastRequestError(field: .perturbation, problem: "bred needs a forecast of at least \(EnsembleOptions.breedingDays) days (its breeding cycles use the forecast's first days)")
        }
        if ensemble.statistics && ensemble.members < 2 {
            throw ForecastRequestError(field: .ensembleStatistics, problem: "needs an ensemble of 2 members or more")
        }
        if !quantizeBits.isEmpty && encoding == .int16 {
            throw ForecastRequestError(field: .quantize, problem: "applies to float32 output; int16 packing rounds the values already")
        }
    }

    /// The perturbation named `text` (``Perturbation``).
    public static func perturbation(_ text: String) throws -> Perturbation {
        guard let kind = Perturbation(rawValue: text) else {
            throw ForecastRequestError(field: .perturbation, problem: "must be one of "
                                       + Perturbation.allCases.map(\.rawValue).joined(separator: ", ") + "; got '\(text)'")
        }
        return kind
    }

    /// The accumulation period in `text` ("1h", "24h", "3600s"), as the request states it.
    public static func accumulationPeriod(_ text: String) throws -> AccumulationPeriod {
        guard let period = AccumulationPeriod(parsing: text, source: "stated by the request") else {
            throw ForecastRequestError(field: .accumulationPeriod, problem: "takes a period such as 1h, 24h or 3600s, from a minute "
                                       + "to 31 days; got '\(text)'")
        }
        return period
    }

    /// Bits to keep per variable from `BITS` (every state variable) or `VARIABLE=BITS` entries, e.g. `12` or
    /// `thetao=12`; later entries win.
    public static func quantizeBits(entries: [String]) throws -> [OceanVariable: Int] {
        var result: [OceanVariable: Int] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let named = parts.count == 2 ? OceanVariable(rawValue: parts[0]).map { [$0] } : Array(OceanVariable.allCases)
            guard let bits = Int(parts.last ?? ""), let variables = named else {
                throw ForecastRequestError(field: .quantize, problem: "takes BITS or VARIABLE=BITS (a state variable: "
                                           + OceanVariable.allCases.map(\.rawValue).joined(separator: ", ") + "), e.g. thetao=12; got '\(entry)'")
            }
            for variable in variables { result[variable] = bits }
        }
        return result
    }

    /// State variable names from `VARIABLE=NAME` pairs, e.g. `thetao=votemper`.
    public static func stateNames(pairs: [String]) throws -> [OceanVariable: String] {
        var names: [String: String] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                throw ForecastRequestError(field: .variables, problem: "takes VARIABLE=NAME, e.g. thetao=votemper; got '\(pair)'")
            }
            names[parts[0]] = parts[1]
        }
        return try stateNames(names)
    }

    /// State variable names from a map of variable to name, e.g. `["thetao": "votemper"]`.
    public static func stateNames(_ names: [String: String]) throws -> [OceanVariable: String] {
        var result: [OceanVariable: String] = [:]
        for key in names.keys.sorted() {
            guard let variable = OceanVariable(rawValue: key) else {
                throw ForecastRequestError(field: .variables, problem: "'\(key)' is not one of "
                                           + OceanVariable.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard let name = names[key], !name.isEmpty else {
                throw ForecastRequestError(field: .variables, problem: "'\(key)' needs a non-empty name")
            }
            result[variable] = name
        }
        return result
    }
}

/// How a forecast's per-day files are named.
public enum DayFileNames: String, Sendable, CaseIterable {
    /// `NAME_day01.nc`, `NAME_day02.nc` ... beside the output path `NAME.nc`.
    case numbered
    /// As WenHai's published pipeline names them, the output path a folder: `OUT/fcstYYYYMMDD/fcstYYYYMMDD_leadN.nc`
    /// (YYYYMMDD the day's valid date, N its lead in days).
    case wenhai
}

/// A forecast request that breaks a rule: which field, and what is wrong with it ("must be 1 to 366, got 0").
public struct ForecastRequestError: Error, CustomStringConvertible, Equatable {
    public let field: ForecastRequest.Field
    public let problem: String

    public init(field: ForecastRequest.Field, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field.rawValue) \(problem)" }
}
