import Foundation

/// A job's input file, opened once when the job starts and checked after opening to be a regular file inside a
/// data root: a folder swapped for a link between submission and start cannot make the job read a file
/// elsewhere, because what is read is what was checked. The forecast reads it through ``path``
/// (`/proc/self/fd/N`), and messages name it as the job's inputs do.
final class OpenedInput {
    private let descriptor: Int32
    /// The path as the job's inputs give it, for messages.
    let shown: String

    /// The open file, as a path this process (and, through ``InputProbe``, its child) can open again.
    var path: String { "/proc/self/fd/\(descriptor)" }

    init(_ path: String, field: String, roots: DataRoots) throws {
        shown = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else { throw JobRunnerError.inputUnavailable(field: field, path: path, reason: "cannot be opened") }
        var status = stat()
        let real = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)")) ?? ""
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw JobRunnerError.inputUnavailable(field: field, path: path, reason: "is no longer a regular file")
        }
        guard DataRoots.contains(real, in: roots.roots) else {
            close(descriptor)
            throw JobRunnerError.inputUnavailable(field: field, path: path, reason: "is no longer inside a data root")
        }
    }

    /// `message` with this file's descriptor path replaced by the path the job gave.
    func reword(_ message: String) -> String {
        message.replacingOccurrences(of: path, with: shown)
    }

    deinit { close(descriptor) }
}
