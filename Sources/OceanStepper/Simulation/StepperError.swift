import OceanGrid
import Foundation

/// What can stop the stepper, each naming the file, field or place and the problem.
public enum StepperError: Error, CustomStringConvertible, Equatable {
    /// A file named on the command line does not exist or cannot be read.
    case missing(path: String)
    /// The configuration is missing a field, has a wrong value, or violates a stability limit.
    case configuration(path: String, field: String, detail: String)
    /// An input file (initial state, forcing, bathymetry, restart) has a problem.
    case input(path: String, variable: String?, detail: String)
    /// The run blew up: a non-finite value or a speed above the limit, with where and when.
    case blowUp(day: Int, variable: String, latitude: Double, longitude: Double, depth: Double, value: Double)

    public var description: String {
        switch self {
        case let .missing(path): "\(path): no such file, or it cannot be read"
        case let .configuration(path, field, detail): "\(path): \(field): \(detail)"
        case let .input(path, variable, detail): "\(path)\(variable.map { ": variable \($0)" } ?? ""): \(detail)"
        case let .blowUp(day, variable, latitude, longitude, depth, value):
            String(format: "the model blew up on day %d: %@ = %g at latitude %.3f, longitude %.3f, depth %.1f m",
                   day, variable, value, latitude, longitude, depth)
        }
    }
}
