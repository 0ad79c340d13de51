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
        _ = withoutExitCleanup
        _ = withoutFileLocking
        _ = silenceErrorStack?(0, nil, nil)  // H5E_DEFAULT, per thread in a thread-safe libhdf5
        return try body()
    }

    /// Asks libhdf5, before its first use, not to close open objects from an exit handler. After a write error
    /// (a full disk) the file's close fails and leaves libhdf5 holding a half-freed file, and its exit handler
    /// then crashed the process (SIGSEGV in H5F__close_cb) after forecastd had reported the error and removed the
    /// partial file. forecastd closes every file it writes itself; at exit the system reclaims the rest.
    private static let withoutExitCleanup: Void = {
        typealias DontAtExit = @convention(c) () -> Int32
        if let symbol = dlsym(nil, "H5dont_atexit") {
            _ = unsafeBitCast(symbol, to: DontAtExit.self)()
        }
    }()

    /// Turns libhdf5's file locks off (`HDF5_USE_FILE_LOCKING=FALSE`, unless the environment already says), before
    /// its first use. libhdf5 takes a `flock` on every file it opens, and such a lock belongs to the open file, not
    /// to the process: a child started by another thread (a probe, a test's helper) holds a copy of every open
    /// descriptor from its fork until it closes them, so a file netCDF-C had just closed could not be opened again
    /// for its chunks ("open for chunks failed", "NetCDF: HDF error", seen under the test suite's load). forecastd
    /// does not need the locks: it writes under a private temporary name that it renames when complete, and reads
    /// inputs only.
    private static let withoutFileLocking: Void = {
        setenv("HDF5_USE_FILE_LOCKING", "FALSE", 0)
    }()

    /// libhdf5's H5Eset_auto2, used to stop it printing its error stacks: netCDF-C's status says what failed and
    /// forecastd's message names the file.
    private static let silenceErrorStack: (@convention(c) (Int64, UnsafeRawPointer?, UnsafeRawPointer?) -> Int32)? = {
        dlsym(nil, "H5Eset_auto2").map { unsafeBitCast($0, to: (@convention(c) (Int64, UnsafeRawPointer?, UnsafeRawPointer?) -> Int32).self) }
    }()

    /// The library's version string, e.g. "4.9.0 of ...".
    public static var version: String {
        serialized { String(cString: nc_inq_libvers()) }
    }
}
