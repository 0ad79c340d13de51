import Foundation
import NetCDF
import OceanGrid
import Tensor

/// Runs one shard of a batch into an output folder (`NAME.nc` per forecast) and writes the shard's report
/// beside them. A forecast whose output is complete (it opens, has every day, its content checksums match) and
/// records the entry's inputs as they are now (``InputIdentity``) is skipped; anything else is redone, after
/// removing the temporary files a killed task left. A failing forecast is reported and the others still run;
/// with ``isolation``, each runs in a child process, so that even a crash or a hang is only its own failure. Asked to stop, the running forecast stops at its next day boundary
/// with no half-written file, and the forecasts not started are reported as such.
public struct BatchRunner {
    public let manifest: BatchManifest
    public let shard: BatchShard
    public let outputFolder: String
    /// What every forecast of the batch asks for (model, days, output options); its init, forcing and output
    /// are set per entry.
    public let template: ForecastRequest
    public let pool: ThreadPool
    /// Reads untrusted files (inputs, existing outputs) in a child process first; nil reads them in-process.
    public let probe: InputProbe?
    /// Runs each forecast in a child process; nil runs them in this one.
    public let isolation: IsolatedForecast?

    public init(manifest: BatchManifest, shard: BatchShard, outputFolder: String, template: ForecastRequest,
                pool: ThreadPool = .shared, probe: InputProbe?, isolation: IsolatedForecast? = nil) {
        self.isolation = isolation
        self.manifest = manifest
        self.shard = shard
        self.outputFolder = outputFolder
        self.template = template
        self.pool = pool
        self.probe = probe
    }

    /// This shard's entries in order. `exitStatus` gives a failure's status: the shard's status is that of an
    /// interrupted forecast if any was, else that of the first failure, else 0. `log` receives one
    /// `event=... name=...` line per forecast.
    public func run(shouldStop: () -> Bool, exitStatus: (Error) -> Int32, log: (String) -> Void) throws -> BatchReport {
        try template.validateOptions()
        try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true)
        var outcomes: [BatchOutcome] = []
        var status: Int32 = 0, interrupted = false
        func failed(_ error: Error) {
            let code = exitStatus(error)
            let stop = if case ForecastError.interrupted = error { true } else { false }
            if status == 0 || (stop && !interrupted) { status = code }
            interrupted = interrupted || stop
        }
        for entry in shard.select(manifest.entries) {
            let output = (outputFolder as NSString).appendingPathComponent(entry.name + ".nc")
            let start = Date()
            if shouldStop() {
                let error = ForecastError.interrupted(path: output, day: 1)
                outcomes.append(BatchOutcome(name: entry.name, status: .notStarted, seconds: 0, output: output, error: "interrupted"))
                failed(error)
                continue
            }
            // An ensemble's forecast is its member files (and statistics): complete only when all of them are.
            let streams = template.ensemble.outputs(output), files = streams.map(\.path)
            files.forEach { AtomicOutput.removeStale(of: $0) }
            if streams.allSatisfy({ isComplete($0.path, of: entry, ensemble: template.ensemble.description(of: $0.kind)) }) {
                outcomes.append(BatchOutcome(name: entry.name, status: .skipped, seconds: 0, output: output, error: nil))
                log("event=skip name=\(entry.name) output=\(output)")
                continue
            }
            var request = template
            request.initial = entry.initial
            request.forcing = entry.forcing
            request.start = entry.start
            request.output = output
            request.recordInputs = true
            do {
                if let isolation {
                    try isolation.run(request, shouldStop: shouldStop, log: log)
                } else {
                    _ = try ForecastJob.run(request, pool: pool, probe: probe, shouldStop: shouldStop)
                }
                let seconds = Date().timeIntervalSince(start)
                outcomes.append(BatchOutcome(name: entry.name, status: .done, seconds: seconds, output: output, error: nil))
                log("event=done name=\(entry.name) output=\(output) seconds=\(String(format: "%.2f", seconds))")
            } catch {
                files.forEach { AtomicOutput.removeStale(of: $0) }
                failed(error)
                outcomes.append(BatchOutcome(name: entry.name, status: .failed, seconds: Date().timeIntervalSince(start),
                                             output: output, error: "\(error)"))
                log("event=failed name=\(entry.name) exit=\(exitStatus(error)) error=\"\(error)\"")
            }
        }
        let report = BatchReport(manifest: manifest.path, shard: "\(shard.index)/\(shard.count)",
                                 host: ProcessInfo.processInfo.hostName, outcomes: outcomes, exitStatus: status)
        try AtomicOutput.write(report.json(), to: (outputFolder as NSString).appendingPathComponent(report.fileName))
        return report
    }

    /// Whether `output` is a finished forecast of this batch's length computed from `entry`'s inputs as they are
    /// now, the same part of the same ensemble (`ensemble`, nil for a single forecast); a damaged file is read in a
    /// child first.
    private func isComplete(_ output: String, of entry: BatchEntry, ensemble: String?) -> Bool {
        guard FileManager.default.fileExists(atPath: output) else { return false }
        if let probe, (try? probe.check(output)) == nil { return false }
        guard CompleteForecast.isComplete(output, days: template.days),
              let attributes = try? CFDataset(path: output).file.root.attributes(),
              attributes["forecastd_ensemble"]?.text == ensemble,
              let recorded = attributes[InputIdentity.attribute]?.text,
              let current = try? InputIdentity.of(initial: entry.initial, forcing: entry.forcing, start: entry.start) else { return false }
        return recorded == current
    }
}

/// One forecast's outcome in a batch report.
public struct BatchOutcome: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case done
        case skipped = "skipped (complete)"
        case failed
        case notStarted = "not started"
    }

    public var name: String
    public var status: Status
    public var seconds: Double
    public var output: String
    public var error: String?
}

/// What one shard of a batch did, written as `batch-task-I-of-N.json` into the output folder.
public struct BatchReport: Codable, Sendable {
    public var manifest: String
    public var shard: String
    public var host: String
    public var outcomes: [BatchOutcome]
    /// The shard's exit status (0 when every forecast is done or skipped).
    public var exitStatus: Int32

    /// The report's file name in the output folder.
    public var fileName: String { "batch-task-\(shard.replacingOccurrences(of: "/", with: "-of-")).json" }

    /// Pretty-printed JSON with sorted keys.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
