import OceanGrid
import Foundation

/// One forecast of a batch: its name (the output is `NAME.nc`), initial state, forcing and, for an init file
/// holding several times, the time to start from.
public struct BatchEntry: Sendable, Equatable, Codable {
    public var name: String
    public var initial: String
    public var forcing: String
    public var start: String?

    public init(name: String, initial: String, forcing: String, start: String? = nil) {
        self.name = name
        self.initial = initial
        self.forcing = forcing
        self.start = start
    }
}

/// The forecasts of a batch, one per line of a text file:
///
/// - `init=PATH forcing=PATH [name=NAME] [start=DATE]` (name defaults to the init file's stem; start chooses the
///   time of an init file holding several), or
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
                guard pair.count == 2, ["init", "forcing", "name", "start"].contains(pair[0]) else {
                    throw bad("'\(token)' is not init=PATH, forcing=PATH, name=NAME or start=DATE")
                }
                fields[pair[0]] = pair[1]
            }
            guard let initial = fields["init"], let forcing = fields["forcing"] else { throw bad("needs init=PATH and forcing=PATH, or a date") }
            let name = fields["name"] ?? ((initial as NSString).lastPathComponent as NSString).deletingPathExtension
            guard !name.isEmpty, !name.contains("/") else { throw bad("name '\(name)' cannot name an output file") }
            entries.append(BatchEntry(name: name, initial: resolve(initial), forcing: resolve(forcing), start: fields["start"]))
        }
        var seen = Set<String>()
        if let duplicate = entries.first(where: { !seen.insert($0.name).inserted }) {
            throw ForecastError.inputData(path: path, variable: nil, detail: "two forecasts are named '\(duplicate.name)' (outputs would collide)")
        }
        self.entries = entries
    }
}
