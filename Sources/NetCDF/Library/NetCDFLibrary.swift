import CNetCDF
import Foundation

/// The netCDF-C library forecastd links, and the one lock every call into it takes: netCDF-C is not
/// thread-safe, so all access is serialised here.
public enum NetCDFLibrary {
    private static let lock = NSLock()

    /// Runs `body` holding the process-wide netCDF lock.
    public static func serialized<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The library's version string, e.g. "4.9.0 of ...".
    public static var version: String {
        serialized { String(cString: nc_inq_libvers()) }
    }
}
