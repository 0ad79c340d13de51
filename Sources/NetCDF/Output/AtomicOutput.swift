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

    /// Fails with ``NetCDFError/cannotWrite(path:detail:)`` when the folder is missing or not writable.
    public init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw NetCDFError.cannotWrite(path: path, detail: "folder \(folder) does not exist or is not writable")
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

    /// Removes the temporary files that any process (one killed outright, say) left for `path`.
    public static func removeStale(of path: String) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path, prefix = temporaryPrefix(of: url.lastPathComponent)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }

    private static func temporaryPrefix(of name: String) -> String { "." + name + ".partial-" }

    private static func synchronize(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw NetCDFError.cannotWrite(path: path, detail: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw NetCDFError.cannotWrite(path: path, detail: "fsync: \(String(cString: strerror(errno)))") }
    }
}
