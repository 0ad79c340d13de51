import Foundation
import ArgumentParser
import OceanGrid
import OceanStepper
import Surrogate

extension ForcingMode: ExpressibleByArgument {}
extension ForecastEncoding: ExpressibleByArgument {}
extension StepperPrecision: ExpressibleByArgument {}

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
        }
    }
}

extension ForecastRequest {
    /// Throws the first rule the request (or only its options) breaks, as a usage error worded with the command's flags.
    func validateFlags(options: Bool = false) throws {
        do { try options ? validateOptions() : validate() } catch let error as ForecastRequestError {
            throw ValidationError("\(error.field.flag) \(error.problem)")
        }
    }

    /// The `history` attribute of a forecast asked for on this command line.
    static var commandLineHistory: String {
        ISO8601DateFormatter().string(from: Date()) + ": " + CommandLine.arguments.joined(separator: " ")
    }
}
