import ArgumentParser
import Foundation
import CProcessor
import OceanGrid
import Surrogate
import Tensor

/// The forecastd command line: one binary for forecasts, the daemon, batch jobs and benchmarks.
@main
struct Forecastd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecastd",
        abstract: "Ocean forecast inference runtime: data-driven ocean forecasts from NetCDF to NetCDF.",
        version: "0.1.0",
        subcommands: [Run.self, Serve.self, Batch.self, Compare.self, Verify.self, Plot.self, Simulate.self, Atmosphere.self, Inspect.self, ModelInfo.self, Bench.self, Probe.self]
    )

    /// Every command starts here: on a processor that lacks the instructions this binary was built for, none runs.
    static func main() async {
        do {
            try checkProcessor()
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// Refuses to start on a processor that lacks instructions the kernels were compiled to use, instead of
    /// dying on an illegal instruction halfway through a forecast.
    private static func checkProcessor() throws {
        let built = fd_build_cpu_features(), running = fd_running_cpu_features()
        var missing: [String] = []
        if built.avx512f != 0 && running.avx512f == 0 { missing.append("AVX-512F") }
        if built.avx2 != 0 && running.avx2 == 0 { missing.append("AVX2") }
        if built.fma != 0 && running.fma == 0 { missing.append("FMA") }
        guard missing.isEmpty else {
            throw ValidationError("""
                this forecastd was built for a processor with \(missing.joined(separator: ", ")), which this one \
                lacks; rebuild on this machine, or with FORECASTD_TARGET_CPU=haswell (AVX2) or x86-64 (portable)
                """)
        }
        do { _ = try ProcessorCapabilities.current.selected() } catch {
            FileHandle.standardError.write(Data("forecastd: \(error)\n".utf8))
            throw ExitCode(Sysexit.configuration.rawValue)
        }
    }
}

/// Options every compute command shares.
struct ComputeOptions: ParsableArguments {
    @Option(help: "Compute threads (default: FORECASTD_THREADS, else the physical cores).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// The pool these options ask for: the shared one unless --threads says otherwise.
    var pool: ThreadPool { threads.map { ThreadPool(threads: $0) } ?? .shared }
}

/// The network's precision, for the commands that run it.
struct PrecisionOption: ParsableArguments {
    @Option(help: ArgumentHelp("The network's matrix products: fp32, bf16 (fp32 accumulation; needs AVX512-BF16 or AMX) or auto (bf16 where the processor has it).",
                               discussion: "Default: the precision the model's config.json declares, else fp32."))
    var precision: PrecisionChoice?
}

/// `--quantize`: BitRound of the float32 output, for run and batch.
struct QuantizeOption: ParsableArguments {
    @Option(name: .customLong("quantize"),
            help: ArgumentHelp("Significant bits (1-23) to keep of every state variable, or of one as VARIABLE=BITS (repeatable): netCDF-C's BitRound, lossy, for smaller files.",
                               discussion: "Default: lossless float32."))
    var entries: [String] = []

    /// Bits per state variable.
    func bits() throws -> [OceanVariable: Int] { try withFlags { try ForecastRequest.quantizeBits(entries: entries) } }
}

/// `--accumulation-period`: what the forcing's accumulated fields sum over, for run, batch and simulate.
struct AccumulationOption: ParsableArguments {
    @Option(name: .customLong("accumulation-period"),
            help: ArgumentHelp("The period the forcing's accumulated fields (radiation in J m-2, precipitation in m) sum over, e.g. 1h or 24h.",
                               discussion: "Needed for such fields when the file's cell_methods does not state it: ERA5's daily statistics of hourly data accumulate over 1h."))
    var text: String?

    /// The period, nil when not given.
    func period() throws -> AccumulationPeriod? { try text.map { text in try withFlags { try ForecastRequest.accumulationPeriod(text) } } }
}

/// A grid given on the command line as HEIGHTxWIDTH (latitudes x longitudes).
enum GridOption {
    /// The grid in `text`, nil when `text` is nil.
    static func parse(_ text: String?) throws -> (height: Int, width: Int)? {
        guard let text else { return nil }
        let parts = text.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts.allSatisfy({ (1...100_000).contains($0) }) else {
            throw ValidationError("a grid is HEIGHTxWIDTH with sizes 1 to 100000, e.g. 720x1440; got '\(text)'")
        }
        return (parts[0], parts[1])
    }
}
