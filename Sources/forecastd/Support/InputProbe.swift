import Foundation
import NetCDF

/// Reads an untrusted NetCDF file in a child process before this process touches it.
///
/// Neither libhdf5 nor netCDF-C survives every damaged file: byte-flipped copies made libhdf5 abort on a
/// corrupted heap (`free(): invalid pointer` inside `H5G__dense_iterate` during `nc_open`) and netCDF-C divide
/// by zero parsing a classic header (SIGFPE). A crash in the child costs nothing; in a daemon or a batch job
/// it would lose work. The child reads every variable completely, so a file that passes also reads here.
enum InputProbe {
    /// Throws ``NetCDFError/notNetCDF(path:detail:)`` (or the child's own error) unless a child process opened
    /// `path` and read every variable of it completely.
    static func check(_ path: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else { throw NetCDFError.fileMissing(path: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["probe", path]
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
        case Sysexit.noInput.rawValue: throw NetCDFError.fileMissing(path: path)
        default:
            let detail = message.split(separator: "\n").first.map { String($0).replacingOccurrences(of: "forecastd: ", with: "") }
            throw NetCDFError.notNetCDF(path: path, detail: detail ?? "unreadable (exit status \(process.terminationStatus))")
        }
    }

    /// The child's work: open `path`, decode every variable one outermost index at a time, and verify the
    /// content checksums forecastd writes into its own files.
    static func readEverything(_ path: String) throws {
        let dataset = try CFDataset(path: path)
        _ = try dataset.file.root.attributes()
        for variable in dataset.variables {
            _ = try variable.attributes()
            guard variable.type.isNumeric else { continue }
            try dataset.forEachSlab(of: variable) { _ in }
        }
    }
}
