import Foundation

/// One forecast of a batch: its name (the output is `NAME.nc`), initial state and forcing.
public struct BatchEntry: Sendable, Equatable, Codable {
    public var name: String
    public var initial: String
    public var forcing: String

    public init(name: String, initial: String, forcing: String) {
        self.name = name
        self.initial = initial
        self.forcing = forcing
    }
}

/// The forecasts of a batch, one per line of a text file:
///
/// - `init=PATH forcing=PATH [name=NAME]` (name defaults to the init file's stem), or
/// - a start date `YYYY-MM-DD`, expanded through the init and forcing templates, where `{date}` stands for it
///   (the name is the date).
///
/// Blank lines and lines starting with `#` are skipped; relative paths are relative to the manifest's folder.
public struct BatchManifest: Sendable {
    public let path: String
    public let entries: [BatchEntry]

    public init(path: String, initTemplate: String? = nil, forcingTemplate: String? = nil) throws {
        self.path = path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ForecastError.inputData(path: path, variable: nil, detail: "cannot be read as a text manifest")
        }
        let folder = (path as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : (folder as NSString).appendingPathComponent(p) }
        var entries: [BatchEntry] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            func bad(_ detail: String) -> ForecastError { .inputData(path: path, variable: nil, detail: "line \(number + 1): \(detail)") }
            if line.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil {
                guard let initTemplate, let forcingTemplate else {
                    throw bad("a start date needs --init-template and --forcing-template (with {date} in them)")
                }
                entries.append(BatchEntry(name: line, initial: resolve(initTemplate.replacingOccurrences(of: "{date}", with: line)),
                                          forcing: resolve(forcingTemplate.replacingOccurrences(of: "{date}", with: line))))
                continue
            }
            var fields: [String: String] = [:]
            for token in line.split(separator: " ", omittingEmptySubsequences: true) {
                let pair = token.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2, ["init", "forcing", "name"].contains(pair[0]) else {
                    throw bad("'\(token)' is not init=PATH, forcing=PATH or name=NAME")
                }
                fields[pair[0]] = pair[1]
            }
            guard let initial = fields["init"], let forcing = fields["forcing"] else { throw bad("needs init=PATH and forcing=PATH, or a date") }
            let name = fields["name"] ?? ((initial as NSString).lastPathComponent as NSString).deletingPathExtension
            guard !name.isEmpty, !name.contains("/") else { throw bad("name '\(name)' cannot name an output file") }
            entries.append(BatchEntry(name: name, initial: resolve(initial), forcing: resolve(forcing)))
        }
        var seen = Set<String>()
        if let duplicate = entries.first(where: { !seen.insert($0.name).inserted }) {
            throw ForecastError.inputData(path: path, variable: nil, detail: "two forecasts are named '\(duplicate.name)' (outputs would collide)")
        }
        self.entries = entries
    }
}

/// Which part of a batch this process runs: entries whose position modulo `count` is `index`.
public struct BatchShard: Sendable, Equatable {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, (0..<count).contains(index) else {
            throw ForecastError.usage("shard \(index)/\(count): the index must be in 0..<count")
        }
        self.index = index
        self.count = count
    }

    /// From `--shard I/N`; else from Slurm's job array: with `shards` (the array's full size, so that
    /// re-submitting one index later runs that index's share), SLURM_ARRAY_TASK_ID of `shards`; without,
    /// SLURM_ARRAY_TASK_ID counted from SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT; else the whole batch.
    public static func resolve(option: String?, shards: Int? = nil, environment: [String: String]) throws -> BatchShard {
        if let option {
            let parts = option.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2 else { throw ForecastError.usage("--shard is I/N, e.g. 0/4; got '\(option)'") }
            return try BatchShard(index: parts[0], count: parts[1])
        }
        let id = environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init)
        if let id, let shards { return try BatchShard(index: id, count: shards) }
        if let id, let count = environment["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init) {
            let minimum = environment["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
            return try BatchShard(index: id - minimum, count: count)
        }
        return try BatchShard(index: 0, count: 1)
    }

    /// This shard's entries.
    public func select(_ entries: [BatchEntry]) -> [BatchEntry] {
        entries.enumerated().filter { $0.offset % count == index }.map(\.element)
    }
}
