import Foundation
import ArgumentParser
import OceanGrid
import OceanStepper
import Surrogate
import Tensor

extension ForcingMode: ExpressibleByArgument {}
extension ForecastEncoding: ExpressibleByArgument {}
extension StepperPrecision: ExpressibleByArgument {}
extension PrecisionChoice: ExpressibleByArgument {}
extension DayFileNames: ExpressibleByArgument {}
extension Perturbation: ExpressibleByArgument {}

extension ForecastRequest.Field {
    /// The command-line flag that sets this field.
    var flag: String {
        switch self {
        case .model: "--model"
        case .initial: "--init"
        case .forcing: "--forcing"
        case .output: "--out"
        case .days: "--days"
        case .deflate: "--deflate"
        case .pack: "--pack"
        case .forcingMode: "--forcing-mode"
        case .variables: "--var"
        case .start: "--start"
        case .precision: "--precision"
        case .quantize: "--quantize"
        case .accumulationPeriod: "--accumulation-period"
        case .members: "--members"
        case .perturbation: "--perturbation"
        case .seed: "--seed"
        case .perturbationScale: "--perturbation-scale"
        case .ensembleStatistics: "--ensemble-statistics"
        }
    }
}

extension ForecastRequestError {
    /// The error as a usage error worded with the command's flags (`--days must be ...`, exit 64).
    var usage: ValidationError { ValidationError("\(field.flag) \(problem)") }
}

/// Runs `body`, rewording a ``ForecastRequestError`` with the command's flags.
func withFlags<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as ForecastRequestError { throw error.usage }
}

extension ForecastRequest {
    /// Throws the first rule the request (or only its options) breaks, as a usage error worded with the command's flags.
    func validateFlags(options: Bool = false) throws {
        try withFlags { try options ? validateOptions() : validate() }
    }

    /// This request as `forecastd run` arguments (how a batch runs each forecast in a child process).
    var runArguments: [String] {
        typealias F = ForecastRequest.Field
        var arguments = [F.model.flag, model, F.initial.flag, initial, F.forcing.flag, forcing, F.output.flag, output,
                         F.days.flag, "\(days)", F.deflate.flag, "\(deflateLevel)", F.pack.flag, encoding.rawValue,
                         F.forcingMode.flag, forcingMode.rawValue]
        for (variable, name) in stateNames.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            arguments += [F.variables.flag, "\(variable.rawValue)=\(name)"]
        }
        if let start { arguments += [F.start.flag, start] }
        if let precision { arguments += [F.precision.flag, precision.rawValue] }
        for (variable, bits) in quantizeBits.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            arguments += [F.quantize.flag, "\(variable.rawValue)=\(bits)"]
        }
        if let accumulation { arguments += [F.accumulationPeriod.flag, "\(Int(accumulation.seconds))s"] }
        if perDayFiles { arguments.append("--per-day-files") }
        if dayFileNames != .numbered { arguments += ["--day-file-names", dayFileNames.rawValue] }
        if recordInputs { arguments.append("--record-inputs") }
        if ensemble.members > 1 {
            arguments += [F.members.flag, "\(ensemble.members)", F.perturbation.flag, ensemble.perturbation.rawValue,
                          F.seed.flag, "\(ensemble.seed)"]
            for entry in ensemble.amplitudeEntries { arguments += [F.perturbationScale.flag, entry] }
            if ensemble.statistics { arguments.append(F.ensembleStatistics.flag) }
        }
        return arguments
    }

    /// The `history` attribute of a forecast asked for on this command line.
    static var commandLineHistory: String {
        ISO8601DateFormatter().string(from: Date()) + ": " + CommandLine.arguments.joined(separator: " ")
    }
}
