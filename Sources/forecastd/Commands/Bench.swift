import ArgumentParser
import Foundation
import OceanGrid
import Surrogate
import Tensor

/// `forecastd bench <suite>`: measured figures, each a ratio against a reference taken in the same run.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a benchmark suite; every figure comes with a reference measured in the same run.",
        subcommands: [BenchKernels.self, BenchIO.self, BenchSurrogate.self, BenchStepper.self, BenchSpeedup.self]
    )
}

/// `forecastd bench kernels`.
struct BenchKernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Tensor kernels: GFLOP/s or GB/s, against direct OpenBLAS, memcpy and the unfused attention."
    )

    @OptionGroup var compute: ComputeOptions

    @Option(help: "Interleaved repetitions per measurement (the median is reported).")
    var repetitions = 7

    @Flag(help: "Small sizes and few repetitions: proves the suite runs, measures nothing worth quoting.")
    var smoke = false

    @Flag(help: "Print JSON (keys documented in benchmarks/README.md) instead of a table.")
    var json = false

    func run() throws {
        let report = KernelBenchmark(threads: compute.threads, repetitions: smoke ? 2 : max(1, repetitions), smoke: smoke).run()
        print(json ? report.json() : report.table())
    }
}

/// `forecastd bench io`.
struct BenchIO: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "io",
        abstract: "NetCDF: write one deflated forecast day and read it back decoded, against netCDF-C's own deflate, xarray and nccopy."
    )

    @Option(help: "Grid as LATxLON (default: the 1/4-degree global grid).")
    var grid = "720x1440"

    @Option(help: "Depth levels per 3-D variable (4 x levels + 1 channels).")
    var levels = 23

    @Option(help: "Deflate level of the written day (0-9; default: run's).")
    var deflate = ForecastRequest(model: "", initial: "", forcing: "", output: "").deflateLevel

    @OptionGroup var compute: ComputeOptions

    @OptionGroup var suite: SuiteOptions

    @Flag(help: "A 64x128 grid with 2 levels, two rounds: proves the suite runs.")
    var smoke = false

    func run() throws {
        let parts = try GridOption.parse(smoke ? "64x128" : grid)!
        guard ForecastLayout.deflateLevels.contains(deflate) else { throw ValidationError("--deflate must be 0-9, got \(deflate)") }
        try reportingFailures {
            suite.print(try IOBenchmark(latitudes: parts.height, longitudes: parts.width, levels: smoke ? 2 : levels,
                                        repetitions: smoke ? 2 : max(1, suite.repetitions), deflateLevel: deflate, folder: suite.folder,
                                        threads: compute.threads ?? ThreadPool.defaultThreadCount).run())
        }
    }
}

/// `forecastd bench surrogate DIR`.
struct BenchSurrogate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surrogate",
        abstract: "Forward passes of a model folder's network: per-pass times and the fraction of FMA peak.",
        discussion: "tools/bench_surrogate.py runs this interleaved with ONNX Runtime on the same model."
    )

    @Argument(help: "The model folder (config.json, model.safetensors, optional inputs.safetensors).")
    var folder: String

    @OptionGroup var compute: ComputeOptions

    @Option(help: "Timed forward passes (after two untimed planning passes).")
    var repetitions = 5

    @Option(help: "Grid as HEIGHTxWIDTH to run the network on random fields of that size (default: the folder's inputs or config grid).")
    var grid: String?

    @OptionGroup var precision: PrecisionOption

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try reportingFailures {
            let report = try SurrogateBenchmark(folder: folder, pool: compute.pool, repetitions: max(1, repetitions),
                                                grid: try GridOption.parse(grid), precision: precision.precision)
            print(json ? report.json() : report.text())
        }
    }
}

/// `forecastd bench stepper`.
struct BenchStepper: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stepper",
        abstract: "The numerical model: wet cell-steps/s and simulated days per wall hour at each thread count, against 1 thread."
    )

    @Option(help: "Stepper configuration (default: training/sample-ocean.json, the sample domain).")
    var config = "training/sample-ocean.json"

    @Option(help: "Simulated days per run.")
    var days = 5

    @Option(help: "Thread counts, comma-separated; the first is the reference.")
    var threads = "1,2"

    @OptionGroup var suite: SuiteOptions

    @Flag(help: "One day, one round: proves the suite runs, measures nothing worth quoting.")
    var smoke = false

    func run() throws {
        let counts = threads.split(separator: ",").compactMap { Int($0) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--threads takes counts such as 1,2; got '\(threads)'") }
        try reportingFailures {
            suite.print(try StepperBenchmark(configuration: config, days: smoke ? 1 : max(1, days), threadCounts: counts,
                                             repetitions: suite.rounds(smoke: smoke), folder: suite.folder).run())
        }
    }
}

/// `forecastd bench speedup`.
struct BenchSpeedup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speedup",
        abstract: "The same forecast by the stepper and by the surrogate: same init, forcing, days, grid and threads.",
        discussion: "Defaults: weights-sample's model, stepper configuration, init and forcing, 15 days."
    )

    @Option(help: "Model folder.")
    var model = "weights-sample"

    @Option(help: "Stepper configuration on the model's grid.")
    var config = "weights-sample/stepper-config.json"

    @Option(name: .customLong("init"), help: "Initial state.")
    var initial = "weights-sample/data/init.nc"

    @Option(help: "Atmospheric forcing covering the days.")
    var forcing = "weights-sample/data/forcing.nc"

    @Option(help: "Forecast days.")
    var days = 15

    @OptionGroup var compute: ComputeOptions

    @OptionGroup var suite: SuiteOptions

    @Flag(help: "Two days, one round: proves the suite runs, measures nothing worth quoting.")
    var smoke = false

    func run() throws {
        try reportingFailures {
            suite.print(try SpeedupBenchmark(model: model, stepperConfiguration: config, initial: initial, forcing: forcing,
                                             days: smoke ? 2 : days, pool: compute.pool, repetitions: suite.rounds(smoke: smoke),
                                             folder: suite.folder).run())
        }
    }
}

/// Options of the suites that time whole runs: rounds, a scratch folder, the output format.
struct SuiteOptions: ParsableArguments {
    @Option(help: "Interleaved rounds (the median is reported).")
    var repetitions = 5

    @Option(help: "Folder for the temporary outputs.")
    var folder = FileManager.default.temporaryDirectory.path

    @Flag(help: "Print JSON (keys in benchmarks/README.md) instead of a table.")
    var json = false

    /// The rounds to run: one for a smoke run.
    func rounds(smoke: Bool) -> Int { smoke ? 1 : max(1, repetitions) }

    func print(_ report: BenchmarkReport) { Swift.print(json ? report.json() : report.table()) }
}
