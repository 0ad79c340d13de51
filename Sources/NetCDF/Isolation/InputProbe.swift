import Foundation

/// Reads an untrusted NetCDF file in a child process before this process touches it.
///
/// Neither libhdf5 nor netCDF-C survives every damaged file: byte-flipped copies made libhdf5 abort on a
/// corrupted heap (`free(): invalid pointer` inside `H5G__dense_iterate` during `nc_open`) and netCDF-C divide
/// by zero parsing a classic header (SIGFPE). A crash in the child costs nothing; in a daemon or a batch job
/// it would lose work. The child reads the whole file, so a file that passes also reads here. Some damage makes
/// libhdf5 loop forever instead (a byte-flipped chunk index): a child still reading after ``timeLimit(bytes:)``
/// is killed and the file refused.
public struct InputProbe: Sendable {
    /// The child's exit status for a file that does not exist (sysexits' EX_NOINPUT); any other non-zero status
    /// means the file is unreadable, and the first line the child wrote on stderr says why.
    public static let missingFileStatus: Int32 = 66

    /// The program the child runs and the arguments that come before the file's path; the program must read the
    /// whole file and exit with 0, ``missingFileStatus`` or another failure status.
    public let executable: String
    public let arguments: [String]

    /// Seconds any file may take to read, however small (``timeLimit(bytes:)``).
    public let minimumSeconds: Double

    public init(executable: String, arguments: [String], minimumSeconds: Double = 60) {
        self.executable = executable
        self.arguments = arguments
        self.minimumSeconds = minimumSeconds
    }

    /// Seconds a child may take to read a file of `bytes` bytes: ``minimumSeconds``, plus a second for every
    /// 10 MB (reading runs at hundreds of MB/s; a tenth of that on slow storage still fits).
    public func timeLimit(bytes: Int) -> Double { minimumSeconds + Double(bytes) / 10e6 }

    /// Throws ``NetCDFError/notNetCDF(path:detail:)`` (with the child's own message) or
    /// ``NetCDFError/fileMissing(path:)`` unless a child process opened `path` and read every variable of it.
    /// The child is killed when `shouldStop` says so (a job cancelled or past its time limit, a service shutting
    /// down: a child hanging on a file stops with it), and ``Stopped`` is thrown. A path under `/proc/self/` (a
    /// descriptor this process opened) is handed to the child as this process's.
    public func check(_ path: String, shouldStop: () -> Bool = { false }) throws {
        try check([path], shouldStop: shouldStop)
    }

    /// Checks every file of `paths` as ``check(_:shouldStop:)`` does, each in its own child, all at once (a
    /// forecast's init and forcing are read side by side); throws the first failure in the order of `paths`.
    public func check(_ paths: [String], shouldStop: () -> Bool = { false }) throws {
        try start(paths).wait(shouldStop: shouldStop)
    }

    /// Starts the children that check `paths` and returns at once, so that work which does not touch the files
    /// (loading a model) runs while they read; ``Running/wait(shouldStop:)`` gives the verdict. Throws at once for
    /// a path that is missing or not a regular file.
    public func start(_ paths: [String]) throws -> Running {
        for path in paths {
            guard FileManager.default.isReadableFile(atPath: path) else { throw NetCDFError.fileMissing(path: path) }
            var status = stat()
            guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
                throw NetCDFError.notNetCDF(path: path, detail: "not a regular file (a pipe, a device or a folder)")
            }
        }
        let running = Running()
        for path in paths {
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            running.children.append(try Child(path: path, executable: executable, arguments: arguments, timeLimit: timeLimit(bytes: bytes)))
        }
        return running
    }

    /// Children reading their files; dropped before ``wait(shouldStop:)``, it kills them.
    public final class Running {
        fileprivate var children: [Child] = []
        private let start = Date()

        /// Waits for the children of `paths` (every child when nil), so that a file whose check is done can be
        /// read while the others' go on; throws the first failure in the order the paths were given to
        /// ``InputProbe/start(_:)``, or ``Stopped`` (every child killed).
        public func wait(for paths: [String]? = nil, shouldStop: () -> Bool = { false }) throws {
            let waited = children.filter { child in paths?.contains(child.path) ?? true }
            var stopped = false
            while waited.contains(where: \.process.isRunning) {
                if shouldStop() {
                    stopped = true
                    break
                }
                for child in children where child.process.isRunning && Date().timeIntervalSince(start) > child.timeLimit {
                    child.overran.data = Data([1])
                    kill(child.process.processIdentifier, SIGKILL)
                }
                usleep(5_000)
            }
            if stopped {
                for child in children where child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) }
                throw Stopped()
            }
            for child in waited { try child.verdict() }
        }

        deinit { for child in children where child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) } }
    }

    /// One running check of one file.
    fileprivate struct Child {
        let path: String
        let childPath: String
        let process = Process()
        let reader = DispatchQueue(label: "forecastd.probe-stderr")
        let message = Handoff()
        /// Seconds it may read (``InputProbe/timeLimit(bytes:)``); `overran` holds a byte once it was killed for
        /// reading longer.
        let timeLimit: Double
        let overran = Handoff()

        init(path: String, executable: String, arguments: [String], timeLimit: Double) throws {
            self.path = path
            childPath = path.hasPrefix("/proc/self/") ? "/proc/\(getpid())/" + path.dropFirst("/proc/self/".count) : path
            self.timeLimit = timeLimit
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments + [childPath]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            do { try process.run() } catch {
                throw NetCDFError.cannotWrite(path: path, detail: "cannot start a process to check the file: \(error)")
            }
            // Read the child's messages while it runs, so that a child writing much cannot block on a full pipe.
            reader.async { [message] in message.data = errors.fileHandleForReading.readDataToEndOfFile() }
        }

        /// Waits for the child; throws what its end says of the file.
        func verdict() throws {
            process.waitUntilExit()
            reader.sync {}
            if !overran.data.isEmpty {
                throw NetCDFError.notNetCDF(path: path, detail: String(format: "damaged: reading it did not end within %.0f s "
                                            + "(damage can make libhdf5 loop forever)", timeLimit))
            }
            if process.terminationReason == .uncaughtSignal {
                throw NetCDFError.notNetCDF(path: path, detail: "corrupted: the NetCDF/HDF5 library crashed reading it (signal \(process.terminationStatus))")
            }
            switch process.terminationStatus {
            case 0: return
            case InputProbe.missingFileStatus: throw NetCDFError.fileMissing(path: path)
            default:
                let text = String(decoding: message.data, as: UTF8.self).replacingOccurrences(of: childPath, with: path)
                let detail = text.split(separator: "\n").first.map { String($0).replacingOccurrences(of: "forecastd: ", with: "") }
                throw NetCDFError.notNetCDF(path: path, detail: detail ?? "unreadable (exit status \(process.terminationStatus))")
            }
        }
    }

    /// The check was stopped because its caller asked (a job cancelled or a service shutting down).
    public struct Stopped: Error {}

    /// The child's messages, filled on the reading queue and read after it is done.
    fileprivate final class Handoff: @unchecked Sendable {
        var data = Data()
    }
}
