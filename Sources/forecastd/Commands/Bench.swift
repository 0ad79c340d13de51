import ArgumentParser

/// `forecastd bench <suite>`: measured figures, each a ratio against a reference taken in the same run.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a benchmark suite; every figure comes with a reference measured in the same run.",
        subcommands: [BenchKernels.self]
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
        try Forecastd.checkProcessor()
        let report = KernelBenchmark(threads: compute.threads, repetitions: smoke ? 2 : max(1, repetitions), smoke: smoke).run()
        print(json ? report.json() : report.table())
    }
}
