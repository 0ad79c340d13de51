import ArgumentParser
import Dispatch
import Foundation
import OceanModel
import Synchronization

/// `forecastd batch`: this shard's forecasts of a manifest, for Slurm job arrays.
struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the forecasts of a manifest (or this job-array task's share of them) into an output folder.",
        discussion: """
            The shard comes from --shard I/N or from Slurm (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, \
            SLURM_ARRAY_TASK_COUNT). A forecast whose output is complete (opens, has every day, content checksums \
            match) is skipped; anything else is redone. SIGTERM and SIGUSR1 (Slurm's warning before the time \
            limit) stop at the next day boundary with no half-written file and exit 75, so the task can be \
            resubmitted. A JSON summary per task goes to OUT_DIR/batch-task-I-of-N.json.
            """
    )

    @Option(help: "Manifest: one forecast per line, 'init=PATH forcing=PATH [name=NAME]' or a start date YYYY-MM-DD.")
    var manifest: String

    @Option(help: "Model folder.")
    var model: String

    @Option(help: "Output folder (NAME.nc per forecast).")
    var outDir: String

    @Option(help: "This task's shard as I/N (default: from Slurm's job-array variables, else everything).")
    var shard: String?

    @Option(help: "Under Slurm: the job array's full size; the task runs shard SLURM_ARRAY_TASK_ID of it, also when re-submitted alone.")
    var shards: Int?

    @Option(help: "Init file for a start date, with {date} in it.")
    var initTemplate: String?

    @Option(help: "Forcing file for a start date, with {date} in it.")
    var forcingTemplate: String?

    @Option(help: "Forecast length in days.")
    var days = 15

    @Option(help: "Deflate level of the outputs, 0-9.")
    var deflate = 1

    @OptionGroup var compute: ComputeOptions

    /// One forecast's outcome in the task summary.
    struct Outcome: Encodable {
        var name: String
        var status: String
        var seconds: Double
        var output: String
        var error: String?
    }

    /// The per-task summary file.
    struct Summary: JSONReport {
        var manifest: String
        var shard: String
        var host: String
        var outcomes: [Outcome]
        var exitStatus: Int32
    }

    func run() throws {
        try Forecastd.checkProcessor()
        let stop = Atomic<Bool>(false)
        let sources = [SIGTERM, SIGUSR1].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.store(true, ordering: .sequentiallyConsistent) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        var status = Sysexit.ok
        try reportingFailures {
            let list = try BatchManifest(path: manifest, initTemplate: initTemplate, forcingTemplate: forcingTemplate)
            let part = try BatchShard.resolve(option: shard, shards: shards, environment: ProcessInfo.processInfo.environment)
            try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
            var outcomes: [Outcome] = []
            for entry in part.select(list.entries) {
                let output = (outDir as NSString).appendingPathComponent(entry.name + ".nc")
                let start = Date()
                if stop.load(ordering: .sequentiallyConsistent) {
                    outcomes.append(Outcome(name: entry.name, status: "not started", seconds: 0, output: output, error: "interrupted"))
                    status = .temporaryFailure
                    continue
                }
                // A task killed outright (SIGKILL, node failure) may have left its temporary file: remove it.
                let stale = "." + entry.name + ".nc.partial-"
                for file in (try? FileManager.default.contentsOfDirectory(atPath: outDir)) ?? [] where file.hasPrefix(stale) {
                    try? FileManager.default.removeItem(atPath: (outDir as NSString).appendingPathComponent(file))
                }
                // A damaged file is probed in a child process first: netCDF-C can crash on one.
                if FileManager.default.fileExists(atPath: output), (try? InputProbe.check(output)) != nil,
                   CompleteForecast.isComplete(output, days: days) {
                    outcomes.append(Outcome(name: entry.name, status: "skipped (complete)", seconds: 0, output: output, error: nil))
                    log("event=skip name=\(entry.name) output=\(output)")
                    continue
                }
                var request = ForecastRequest(model: model, initial: entry.initial, forcing: entry.forcing, output: output)
                request.days = days
                request.deflateLevel = deflate
                request.history = ISO8601DateFormatter().string(from: Date()) + ": " + CommandLine.arguments.joined(separator: " ")
                do {
                    _ = try ForecastJob.run(request, pool: compute.pool, shouldStop: { stop.load(ordering: .sequentiallyConsistent) })
                    outcomes.append(Outcome(name: entry.name, status: "done", seconds: Date().timeIntervalSince(start), output: output, error: nil))
                    log("event=done name=\(entry.name) output=\(output) seconds=\(String(format: "%.2f", Date().timeIntervalSince(start)))")
                } catch {
                    let code = Sysexit.of(error)
                    if status == .ok || code == .temporaryFailure { status = code }
                    outcomes.append(Outcome(name: entry.name, status: "failed", seconds: Date().timeIntervalSince(start), output: output,
                                            error: "\(error)"))
                    log("event=failed name=\(entry.name) exit=\(code.rawValue) error=\"\(error)\"")
                }
            }
            let summary = Summary(manifest: manifest, shard: "\(part.index)/\(part.count)",
                                  host: ProcessInfo.processInfo.hostName, outcomes: outcomes, exitStatus: status.rawValue)
            let path = (outDir as NSString).appendingPathComponent("batch-task-\(part.index)-of-\(part.count).json")
            try summary.json().write(toFile: path, atomically: true, encoding: .utf8)
        }
        if status != .ok { throw ExitCode(status.rawValue) }
    }

    private func log(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}
