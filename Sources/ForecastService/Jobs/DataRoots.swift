import Foundation

/// The folders a job may read inputs from. A path given in a request is taken relative to the roots (tried in
/// order) or as absolute; it must not contain `..`, must exist as a regular file, and its real path, after
/// every symbolic link is followed, must lie inside one of the roots.
struct DataRoots: Sendable {
    /// Real paths of the roots.
    let roots: [String]

    init(_ folders: [String]) throws {
        roots = try folders.map { folder in
            guard let real = Self.realPath(folder) else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: folder])
            }
            return real
        }
    }

    /// The real path of the input `field` names, or a problem saying why it is refused.
    func resolve(_ path: String, field: String) throws -> String {
        guard !path.isEmpty else { throw Problem.badRequest("\(field) is empty", field: field) }
        guard !path.split(separator: "/").contains("..") else {
            throw Problem(status: .forbidden, type: "about:blank", detail: "\(field) '\(path)' must not contain '..'", field: field)
        }
        let candidates = path.hasPrefix("/") ? [path] : roots.map { ($0 as NSString).appendingPathComponent(path) }
        for candidate in candidates {
            guard let real = Self.realPath(candidate) else { continue }
            guard roots.contains(where: { real == $0 || real.hasPrefix($0 + "/") }) else {
                throw Problem(status: .forbidden, type: "about:blank",
                              detail: "\(field) '\(path)' resolves to \(real), outside the data roots", field: field)
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: real, isDirectory: &isFolder), !isFolder.boolValue else {
                throw Problem.badRequest("\(field) '\(path)' is not a file", field: field)
            }
            return real
        }
        throw Problem.badRequest("\(field) '\(path)' does not exist in any data root", field: field)
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
