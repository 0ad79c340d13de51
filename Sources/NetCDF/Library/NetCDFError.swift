import CNetCDF
#if canImport(Glibc)
import Glibc
#endif

/// What went wrong reading or writing a NetCDF file: always with the file, and the variable or attribute
/// where there is one, so that a researcher can find the problem.
public enum NetCDFError: Error, CustomStringConvertible, Equatable {
    /// The file does not exist or cannot be opened for reading.
    case fileMissing(path: String)
    /// The file exists but is not NetCDF, or is truncated or corrupted.
    case notNetCDF(path: String, detail: String)
    /// A variable the caller needs is absent.
    case variableMissing(path: String, variable: String, available: [String])
    /// A variable's dimensions do not have the expected rank or order.
    case wrongShape(path: String, variable: String, expected: String, found: String)
    /// An attribute's value cannot be understood (time units, calendar, packing).
    case badAttribute(path: String, variable: String, attribute: String, problem: String)
    /// A coordinate is not strictly monotonic, or otherwise unusable.
    case badCoordinate(path: String, variable: String, problem: String)
    /// A call into netCDF-C failed.
    case library(path: String, operation: String, status: Int32, message: String)
    /// The output cannot be created, written or renamed into place.
    case cannotWrite(path: String, detail: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .fileMissing(let p), .notNetCDF(let p, _), .variableMissing(let p, _, _), .wrongShape(let p, _, _, _),
             .badAttribute(let p, _, _, _), .badCoordinate(let p, _, _), .library(let p, _, _, _), .cannotWrite(let p, _):
            p
        }
    }

    /// True for a library failure while reading or inspecting a file (a damaged chunk, a bad header entry): the
    /// file's content is at fault, as with ``notNetCDF(path:detail:)``, not the machine's input and output.
    public var isDamagedContent: Bool {
        guard case .library(_, let operation, _, _) = self else { return false }
        return ["read ", "inquire", "list ", "count ", "find "].contains { operation.hasPrefix($0) }
    }

    public var description: String {
        switch self {
        case .fileMissing(let path):
            "\(path): no such file (or it cannot be read)"
        case .notNetCDF(let path, let detail):
            "\(path): not a readable NetCDF file (\(detail))"
        case .variableMissing(let path, let variable, let available):
            "\(path): variable '\(variable)' not found; the file has: \(available.joined(separator: ", "))"
        case .wrongShape(let path, let variable, let expected, let found):
            "\(path): variable '\(variable)' has dimensions \(found), expected \(expected)"
        case .badAttribute(let path, let variable, let attribute, let problem):
            "\(path): variable '\(variable)', attribute '\(attribute)': \(problem)"
        case .badCoordinate(let path, let variable, let problem):
            "\(path): coordinate '\(variable)': \(problem)"
        case .library(let path, let operation, let status, let message):
            "\(path): \(operation) failed: \(message) (netCDF status \(status))"
        case .cannotWrite(let path, let detail):
            "\(path): cannot write: \(detail)"
        }
    }
}

extension NetCDFLibrary {
    /// Throws ``NetCDFError/library(path:operation:status:message:)`` for a failed netCDF-C status. Call with the
    /// lock held.
    static func check(_ status: Int32, _ path: String, _ operation: @autoclosure () -> String) throws {
        guard status != NC_NOERR else { return }
        throw NetCDFError.library(path: path, operation: operation(), status: status,
                                  message: String(cString: nc_strerror(status)))
    }

    /// The error for a failed `nc_open`: a missing or unreadable file, or one that is not (intact) NetCDF.
    static func openError(_ status: Int32, _ path: String) -> NetCDFError {
        if status == ENOENT || status == EACCES || status == ENOTDIR { return .fileMissing(path: path) }
        return .notNetCDF(path: path, detail: String(cString: nc_strerror(status)))
    }
}
