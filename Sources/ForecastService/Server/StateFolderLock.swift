import Foundation

/// One `forecastd serve` per state folder: an exclusive `flock` on `STATE_DIR/serve.lock`, held for the life of
/// the process (the kernel releases it when the process ends, however it ends). A second daemon on the same
/// folder would compact the first one's journal under it and delete its results in progress; it is refused
/// before it touches anything.
final class StateFolderLock {
    private let descriptor: Int32

    /// Takes the lock or throws ``ServiceStartError/stateFolderInUse(_:)``.
    init(folder: String) throws {
        let path = (folder as NSString).appendingPathComponent("serve.lock")
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ServiceStartError.stateFolderUnusable(folder, String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw ServiceStartError.stateFolderInUse(folder)
        }
    }

    deinit { close(descriptor) }
}

/// Why `forecastd serve` cannot start.
public enum ServiceStartError: Error, CustomStringConvertible {
    /// Another `forecastd serve` holds the state folder.
    case stateFolderInUse(String)
    /// The state folder cannot be created or written.
    case stateFolderUnusable(String, String)
    /// A `--data-root` folder does not exist (or is not a folder).
    case dataRootMissing(String)

    public var description: String {
        switch self {
        case .stateFolderInUse(let folder):
            "\(folder): another forecastd serve is using this state folder (see its server.json); give this one its own --state-dir"
        case .stateFolderUnusable(let folder, let reason): "\(folder): cannot be used as the state folder: \(reason)"
        case .dataRootMissing(let folder): "\(folder): the data root (--data-root) does not exist or is not a folder"
        }
    }
}
