import CNetCDF
import Foundation

/// An open NetCDF file (classic, 64-bit offset, CDF5 or NetCDF-4). Every call into netCDF-C takes
/// ``NetCDFLibrary``'s lock.
///
/// `@unchecked Sendable`: the handle is immutable after opening and every use of it is serialised by the
/// process-wide netCDF lock; `isOpen` changes only under that lock.
public final class NetCDFFile: @unchecked Sendable {
    /// Path as given.
    public let path: String
    /// netCDF-C's id of the file (and of its root group).
    let ncid: Int32
    private var isOpen = true

    private init(path: String, ncid: Int32) {
        self.path = path
        self.ncid = ncid
    }

    /// Opens `path` read-only. Throws ``NetCDFError/fileMissing(path:)`` or ``NetCDFError/notNetCDF(path:detail:)``.
    public static func open(_ path: String) throws -> NetCDFFile {
        guard FileManager.default.isReadableFile(atPath: path) else { throw NetCDFError.fileMissing(path: path) }
        return try NetCDFLibrary.serialized {
            var id: Int32 = 0
            let status = nc_open(path, NC_NOWRITE, &id)
            guard status == NC_NOERR else { throw NetCDFLibrary.openError(status, path) }
            return NetCDFFile(path: path, ncid: id)
        }
    }

    /// Opens an existing file at `path` for writing (attributes of a file that ``ChunkStore`` filled, say).
    public static func openForWriting(_ path: String) throws -> NetCDFFile {
        try NetCDFLibrary.serialized {
            var id: Int32 = 0
            let status = nc_open(path, NC_WRITE, &id)
            guard status == NC_NOERR else {
                throw NetCDFError.cannotWrite(path: path, detail: String(cString: nc_strerror(status)))
            }
            return NetCDFFile(path: path, ncid: id)
        }
    }

    /// Creates (or replaces) a NetCDF-4 file at `path`, in define mode.
    public static func create(_ path: String) throws -> NetCDFFile {
        try NetCDFLibrary.serialized {
            var id: Int32 = 0
            let status = nc_create(path, NC_NETCDF4 | NC_CLOBBER, &id)
            guard status == NC_NOERR else {
                throw NetCDFError.cannotWrite(path: path, detail: String(cString: nc_strerror(status)))
            }
            return NetCDFFile(path: path, ncid: id)
        }
    }

    /// The root group.
    public var root: Group { Group(file: self, id: ncid) }

    /// The on-disk format: "classic", "64-bit offset", "netCDF-4", "netCDF-4 classic model" or "CDF5".
    public func format() throws -> String {
        try NetCDFLibrary.serialized {
            var format: Int32 = 0
            try NetCDFLibrary.check(nc_inq_format(ncid, &format), path, "inquire format")
            switch format {
            case NC_FORMAT_CLASSIC: return "classic"
            case NC_FORMAT_64BIT_OFFSET: return "64-bit offset"
            case NC_FORMAT_NETCDF4: return "netCDF-4"
            case NC_FORMAT_NETCDF4_CLASSIC: return "netCDF-4 classic model"
            case NC_FORMAT_CDF5: return "CDF5"
            default: return "format \(format)"
            }
        }
    }

    /// Leaves define mode (after defining dimensions, variables and attributes of a new file).
    public func endDefinitions() throws {
        try NetCDFLibrary.serialized { try NetCDFLibrary.check(nc_enddef(ncid), path, "end definitions") }
    }

    /// Closes the file; later use of its groups and variables fails.
    public func close() throws {
        try NetCDFLibrary.serialized {
            guard isOpen else { return }
            isOpen = false
            try NetCDFLibrary.check(nc_close(ncid), path, "close")
        }
    }

    deinit {
        if isOpen { NetCDFLibrary.serialized { _ = nc_close(ncid) } }
    }
}
