import Foundation

/// The folders a job may read inputs from. A path given in a request is taken relative to the roots (tried in
/// order) or as absolute; it must not contain `..`, must exist as a regular file, and its real path, after
/// every symbolic link is followed, must lie inside one of the roots.
struct DataRoots: Sendable {
    /// Real paths of the roots.
    let roots: [String]
    /// The roots as given (standardised) and as real paths: how an absolute path inside them may be spelt.
    private let spellings: [String]

    init(_ folders: [String]) throws {
        roots = try folders.map { folder in
            var isFolder: ObjCBool = false
            guard let real = Self.realPath(folder), FileManager.default.fileExists(atPath: real, isDirectory: &isFolder),
                  isFolder.boolValue else {
                throw ServiceStartError.dataRootMissing(folder)
            }
            return real
        }
        spellings = roots + folders.map { ($0 as NSString).standardizingPath }
    }

    /// The real path of the input `field` names, or a problem saying why it is refused. Whatever lies outside the
    /// roots gets one answer, whether it exists or not and wherever a link points, so that the answers tell
    /// nothing about the machine beyond the roots.
    func resolve(_ path: String, field: String) throws -> String {
        guard !path.isEmpty else { throw Problem.badRequest("\(field) is empty", field: field) }
        let outside = Problem(status: .forbidden, type: "about:blank",
                              detail: "\(field) '\(path)' is not inside a data root", field: field)
        guard !path.split(separator: "/").contains("..") else { throw outside }
        if path.hasPrefix("/") && !Self.contains(path, in: spellings) { throw outside }
        let candidates = path.hasPrefix("/") ? [path] : roots.map { ($0 as NSString).appendingPathComponent(path) }
        for candidate in candidates {
            guard let real = Self.realPath(candidate) else { continue }
            guard Self.contains(real, in: roots) else { throw outside }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: real, isDirectory: &isFolder), !isFolder.boolValue else {
                throw Problem.badRequest("\(field) '\(path)' is not a file", field: field)
            }
            return real
        }
        throw Problem.badRequest("\(field) '\(path)' does not exist in any data root", field: field)
    }

    /// The NetCDF files directly inside the roots, by the names a request gives them (what the forecast form offers).
    var netCDFFiles: [String] {
        var names: [String] = []
        for root in roots {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where name.hasSuffix(".nc") && !names.contains(name) {
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent(name), isDirectory: &isFolder), !isFolder.boolValue {
                    names.append(name)
                }
            }
        }
        return names.sorted()
    }

    /// True when `path` lies inside one of `folders`, as written.
    static func contains(_ path: String, in folders: [String]) -> Bool {
        let standard = (path as NSString).standardizingPath
        return folders.contains { standard == $0 || standard.hasPrefix($0 + "/") }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
