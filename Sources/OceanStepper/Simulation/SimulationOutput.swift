import OceanGrid
import Foundation
import NetCDF

/// Where a stepper run's daily means go. Without a restart folder: straight into the output file (written under
/// a temporary name, renamed into place at the end). With one: into segment files in the folder, one per restart
/// interval, each finished before the restart file of its last day is written; at the end the segments are
/// merged into the output file. A run killed at any moment thus resumes from its last restart with every earlier
/// day kept, and the output file appears only whole.
final class SimulationOutput {
    private let layout: ForecastLayout
    private let output: String
    private let folder: String?
    private let interval: Int, days: Int
    private var writer: ForecastWriter?

    init(output: String, layout: ForecastLayout, days: Int, restartFolder: String?, interval: Int) throws {
        (self.output, self.layout, self.days, folder, self.interval) = (output, layout, days, restartFolder, max(1, interval))
        if folder == nil { writer = try ForecastWriter(path: output, layout: layout) }
    }

    /// The restart file in the folder.
    static func restartPath(_ folder: String) -> String { (folder as NSString).appendingPathComponent("restart.nc") }

    private func segmentPath(_ first: Int, _ last: Int) -> String {
        (folder! as NSString).appendingPathComponent(String(format: "days-%05d-%05d.nc", first, last))
    }

    /// Continues after `day` days already kept in the folder; every earlier day must be in a segment.
    func resume(after day: Int) throws {
        guard day > 0 else { return }
        let covered = try segments().reduce(into: Set<Int>()) { days, s in
            if s.last <= day { days.formUnion(s.first...s.last) }
        }
        if let gap = (1...day).first(where: { !covered.contains($0) }) {
            throw StepperError.input(path: folder!, variable: nil, detail: "the restart is at day \(day) but the daily means of day "
                                     + "\(gap) are not in the folder; remove the folder to start the run over")
        }
    }

    /// The segment files in the folder, in day order.
    private func segments() throws -> [(first: Int, last: Int, path: String)] {
        guard let folder else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: folder).compactMap { name -> (Int, Int, String)? in
            guard name.hasPrefix("days-"), name.hasSuffix(".nc") else { return nil }
            let parts = name.dropFirst(5).dropLast(3).split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2 else { return nil }
            return (parts[0], parts[1], (folder as NSString).appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }
    }

    /// Writes day `day`'s means (NaN on land).
    func write(day: Int, means: [String: [Float]]) throws {
        if writer == nil {
            // A segment ends where the next restart is written.
            writer = try ForecastWriter(path: segmentPath(day, min(((day - 1) / interval + 1) * interval, days)), layout: layout)
        }
        try writer!.writeDay(leadHours: Double(24 * day), values: means)
    }

    /// At the end of a restart interval (or of the run), with a restart folder: closes the day's segment and
    /// writes the restart file. Returns whether it did.
    func checkpoint(day: Int, stepper: OceanStepper, reference: CFDateTime, identity: String) throws -> Bool {
        guard let folder, let current = writer, day % interval == 0 || day == days else { return false }
        try current.finish()
        writer = nil
        try RestartFile.write(stepper, day: day, reference: reference, identity: identity, to: Self.restartPath(folder))
        return true
    }

    /// Finishes the output file: renames it into place, or merges the folder's segments into it (then removes them).
    func finish() throws {
        guard folder != nil else { try writer?.finish(); return }
        let merged = try ForecastWriter(path: output, layout: layout)
        defer { merged.abandon() }
        let parts = try segments().filter { $0.last <= days }
        var day = 1
        for part in parts where part.last >= day {
            let dataset = try CFDataset(path: part.path)
            for d in max(part.first, day)...part.last {
                var values: [String: [Float]] = [:]
                for v in layout.variables {
                    let variable = try dataset.variable(v.name)
                    let count = [1] + variable.shape.dropFirst()
                    values[v.name] = try dataset.read(variable, start: [d - part.first] + count.dropFirst().map { _ in 0 }, count: count)
                }
                try merged.writeDay(leadHours: Double(24 * d), values: values)
            }
            day = part.last + 1
        }
        guard day == days + 1 else {
            throw StepperError.input(path: folder!, variable: nil, detail: "daily means of day \(day) onwards are missing from the folder")
        }
        try merged.finish()
        for part in parts { try? FileManager.default.removeItem(atPath: part.path) }
    }

    /// Drops an unfinished segment or output.
    func abandon() { writer?.abandon() }
}
