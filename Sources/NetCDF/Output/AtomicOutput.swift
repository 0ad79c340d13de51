import Foundation

/// A file that appears under its final name only when it is complete. It is written under a temporary name in
/// the same folder, `.NAME.partial-PID`, renamed into place by ``commit(sync:)`` and removed by ``abandon()``: a
/// reader never sees a half-written file, and an interrupted writer leaves nothing that looks finished. Every
/// writer of forecastd's outputs (forecasts, restart files, batch outputs) names its temporary files here, so
/// that ``removeStale(of:)`` finds what a killed process left.
public struct AtomicOutput: Sendable {
    /// The final path.
    public let path: String
    /// Where the file is written until it is complete.
    public let temporaryPath: String

    /// Fails with ``NetCDFError/cannotWrite(path:detail:)`` when the folder is missing or not writable, or when
    /// something that is not a regular file (a device, a folder, a pipe) has the name: it is never replaced.
    public init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        guard !url.lastPathComponent.isEmpty, !path.hasSuffix("/") else {
            throw NetCDFError.cannotWrite(path: path, detail: "names a folder, not a file")
        }
        guard url.lastPathComponent.utf8.count <= Self.nameLimit else {
            throw NetCDFError.cannotWrite(path: path, detail: "the name is \(url.lastPathComponent.utf8.count) bytes; file systems allow \(Self.nameLimit)")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw NetCDFError.cannotWrite(path: path, detail: "folder \(folder) does not exist or is not writable")
        }
        var status = stat()
        if lstat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            throw NetCDFError.cannotWrite(path: path, detail: "exists and is not a regular file; forecastd does not replace it")
        }
        self.path = path
        temporaryPath = folder + "/" + Self.temporaryPrefix(of: url.lastPathComponent) + "\(getpid())"
    }

    /// Renames the finished temporary file into place, after forcing it to disk when `sync` is set (files a
    /// restart depends on). On failure the temporary file is removed.
    public func commit(sync: Bool = false) throws {
        do {
            if sync { try Self.synchronize(temporaryPath) }
            guard rename(temporaryPath, path) == 0 else {
                throw NetCDFError.cannotWrite(path: path, detail: "rename from \(temporaryPath): \(String(cString: strerror(errno)))")
            }
        } catch {
            abandon()
            throw error
        }
    }

    /// Removes the temporary file; nothing is left behind.
    public func abandon() {
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }

    /// Writes `contents` to `path` atomically (a synced temporary file, then a rename).
    public static func write(_ contents: Data, to path: String) throws {
        let output = try AtomicOutput(path: path)
        guard FileManager.default.createFile(atPath: output.temporaryPath, contents: contents) else {
            throw NetCDFError.cannotWrite(path: path, detail: "cannot create \(output.temporaryPath)")
        }
        try output.commit(sync: true)
    }

    /// Throws when `path` is one of `inputs` (the same file, whatever the spelling: links and `..` resolved, and the
    /// same device and inode for files that exist): an output must never replace what it was computed from.
    public static func requireDistinct(_ path: String, from inputs: [String]) throws {
        func identity(_ p: String) -> (UInt64, UInt64)? {
            var status = stat()
            return stat(p, &status) == 0 ? (UInt64(status.st_dev), UInt64(status.st_ino)) : nil
        }
        func canonical(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }
        let target = identity(path), name = canonical(path)
        for input in inputs {
            let same = if let target, let other = identity(input) { target == other } else { canonical(input) == name }
            if same { throw NetCDFError.cannotWrite(path: path, detail: "is the input \(input); forecastd does not write over its inputs") }
        }
    }

    /// Removes the temporary files that any process (one killed outright, say) left for `path`.
    public static func removeStale(of path: String) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path, prefix = temporaryPrefix(of: url.lastPathComponent)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }

    /// The longest file name (bytes) Linux file systems accept.
    static let nameLimit = 255

    /// `.NAME.partial-`; a name too long to take the decoration is shortened and told apart by a hash of it.
    private static func temporaryPrefix(of name: String) -> String {
        guard name.utf8.count > nameLimit - 40 else { return "." + name + ".partial-" }
        var short = ""
        for scalar in name.unicodeScalars where short.utf8.count + String(scalar).utf8.count <= 180 { short.unicodeScalars.append(scalar) }
        let hash = name.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        return "." + short + "~" + String(hash, radix: 16) + ".partial-"
    }

    private static func synchronize(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw NetCDFError.cannotWrite(path: path, detail: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw NetCDFError.cannotWrite(path: path, detail: "fsync: \(String(cString: strerror(errno)))") }
    }
}
