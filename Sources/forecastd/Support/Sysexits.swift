import ArgumentParser
import ForecastService
import Foundation
import NetCDF
import OceanGrid
import OceanStepper
import Surrogate
import Tensor

/// forecastd's exit statuses (sysexits.h): every failure leaves with one of these and a message on stderr.
enum Sysexit: Int32 {
    case ok = 0
    case regression = 1
    case usage = 64
    case dataError = 65
    case noInput = 66
    case software = 70
    case unavailable = 69
    case ioError = 74
    case temporaryFailure = 75
    case configuration = 78

    /// The status for an error from a lower layer.
    static func of(_ error: Error) -> Sysexit {
        switch error {
        case let e as NetCDFError:
            switch e {
            case .fileMissing: .noInput
            case .notNetCDF, .variableMissing, .wrongShape, .badAttribute, .badCoordinate: .dataError
            case .library where e.isDamagedContent: .dataError
            case .library, .cannotWrite: .ioError
            }
        case let e as SurrogateError:
            switch e {
            case .missing, .damagedWeights(.unreadable): .noInput
            case .configuration, .weights: .configuration
            case .damagedWeights, .input: .dataError
            }
        case let e as ForecastError:
            switch e {
            case .inputData, .forcingDaysMissing: .dataError
            case .nonFinite: .software
            case .interrupted: .temporaryFailure
            }
        case is ForecastRequestError, is BatchShardError, is FieldSelectionError: .usage
        case is PrecisionError: .unavailable
        case let e as IsolatedForecastError:
            switch e {
            case .failed(let status, _): Sysexit(rawValue: status) ?? .software
            case .crashed, .timedOut: .software
            }
        case let e as ServiceStartError:
            switch e {
            case .stateFolderInUse: .temporaryFailure
            case .stateFolderUnusable: .ioError
            case .dataRootMissing: .noInput
            }
        case let e as StepperError:
            switch e {
            case .missing: .noInput
            case .configuration: .configuration
            case .input: .dataError
            case .blowUp: .software
            }
        default: .software
        }
    }
}

/// Runs a command's work, turning a lower layer's error into its message on stderr and its sysexits status.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch let error as ForecastRequestError {
        throw error.usage
    } catch {
        FileHandle.standardError.write(Data("forecastd: \(error)\n".utf8))
        throw ExitCode(Sysexit.of(error).rawValue)
    }
}
