import ArgumentParser
import Foundation
import OceanGrid
import Surrogate

/// `forecastd batch`: this shard's forecasts of a manifest, for Slurm job arrays.
struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the forecasts of a manifest (or this job-array task's share of them) into an output folder.",
        discussion: """
            The shard comes from --shard I/N or from Slurm (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, \
            SLURM_ARRAY_TASK_COUNT). A forecast whose output is complete (opens, has every day, content checksums \
            match, and its recorded inputs are the line's files as they are now) is skipped; anything else is redone. \
            Each forecast runs in its own process: a crash or a hang (past --entry-time-limit) fails that forecast only. SIGINT, SIGTERM, SIGHUP and SIGUSR1 (Slurm's warning before the time \
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

    @Option(help: "Days the forcing lacks: strict (error), persist (latest earlier day) or climatology (mean of the file).")
    var forcingMode: ForcingMode = .strict

    @Option(help: "Seconds one forecast may run; past them its process is killed and the forecast failed, and the batch goes on.")
    var entryTimeLimit: Double = 6 * 3600

    @OptionGroup var precision: PrecisionOption

    @OptionGroup var quantize: QuantizeOption

    @OptionGroup var accumulation: AccumulationOption

    @OptionGroup var ensemble: EnsembleOption

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard entryTimeLimit > 0, entryTimeLimit.isFinite else {
            throw ValidationError("--entry-time-limit must be a positive number of seconds, got \(entryTimeLimit)")
        }
        try template().validateFlags(options: true)
    }

    /// What every forecast of the batch asks for; the runner sets each one's init, forcing and output.
    func template() throws -> ForecastRequest {
        var request = ForecastRequest(model: model, initial: "", forcing: "", output: "")
        request.days = days
        request.deflateLevel = deflate
        request.forcingMode = forcingMode
        request.precision = precision.precision
        request.quantizeBits = try quantize.bits()
        request.accumulation = try accumulation.period()
        request.ensemble = try ensemble.options()
        request.history = ForecastRequest.commandLineHistory
        return request
    }

    func run() throws {
        let stop = StopSignals()
        var status: Int32 = 0
        try reportingFailures {
            // Refused before any forecast starts: bf16 asked for (or declared by the model) without bf16 instructions.
            _ = try Surrogate.precision(precision.precision, declared: try SurrogateConfiguration.load(folder: model).precision)
            let runner = BatchRunner(
                manifest: try BatchManifest(path: manifest, initTemplate: initTemplate, forcingTemplate: forcingTemplate),
                shard: try BatchShard.resolve(option: shard, shards: shards, environment: ProcessInfo.processInfo.environment),
                outputFolder: outDir, template: try template(), pool: compute.pool, probe: Probe.child,
                isolation: IsolatedForecast(executable: "/proc/self/exe", timeLimit: entryTimeLimit) { [threads = compute.threads] request in
                    ["run"] + request.runArguments + (threads.map { ["--threads", "\($0)"] } ?? [])
                })
            let report = try runner.run(shouldStop: { stop.isRequested },
                                        exitStatus: { Sysexit.of($0).rawValue },
                                        log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
            status = report.exitStatus
        }
        if status != 0 { throw ExitCode(status) }
    }
}
