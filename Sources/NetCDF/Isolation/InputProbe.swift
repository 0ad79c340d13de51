import Foundation

/// Reads an untrusted NetCDF file in a child process before this process touches it.
///
/// Neither libhdf5 nor netCDF-C survives every damaged file: byte-flipped copies made libhdf5 abort on a
/// corrupted heap (`free(): invalid pointer` inside `H5G__dense_iterate` during `nc_open`) and netCDF-C divide
/// by zero parsing a classic header (SIGFPE). A crash in the child costs nothing; in a daemon or a batch job
/// it would lose work. The child reads the whole file, so a file that passes also reads here.
public struct InputProbe: Sendable {
    /// The child's exit status for a file that does not exist (sysexits' EX_NOINPUT); any other non-zero status
    /// means the file is unreadable, and the first line the child wrote on stderr says why.
    public static let missingFileStatus: Int32 = 66

    /// The program the child runs and the arguments that come before the file's path; the program must read the
    /// whole file and exit with 0, ``missingFileStatus`` or another failure status.
    public let executable: String
    public let arguments: [String]

    public init(executable: String, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }

    /// Throws ``NetCDFError/notNetCDF(path:detail:)`` (with the child's own message) or
    /// ``NetCDFError/fileMissing(path:)`` unless a child process opened `path` and read every variable of it.
    public func check(_ path: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else { throw NetCDFError.fileMissing(path: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + [path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw NetCDFError.cannotWrite(path: path, detail: "cannot start a process to check the file: \(error)")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal {
            throw NetCDFError.notNetCDF(path: path, detail: "corrupted: the NetCDF/HDF5 library crashed reading it (signal \(process.terminationStatus))")
        }
        switch process.terminationStatus {
        case 0: return
        case Self.missingFileStatus: throw NetCDFError.fileMissing(path: path)
        default:
            let detail = message.split(separator: "\n").first.map { String($0).replacingOccurrences(of: "forecastd: ", with: "") }
            throw NetCDFError.notNetCDF(path: path, detail: detail ?? "unreadable (exit status \(process.terminationStatus))")
        }
    }
}
