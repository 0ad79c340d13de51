import Foundation
import OceanGrid
import OceanStepper
import Surrogate
import Tensor

/// `forecastd bench stepper`: the numerical model on a configuration (default: the sample ocean), each thread
/// count in turn within every round. Rates are wet cell-steps per second and simulated days per wall hour; the
/// reference for N threads is the 1-thread rate of the same rounds.
struct StepperBenchmark {
    let configuration: String
    let days: Int
    let threadCounts: [Int]
    let repetitions: Int
    let folder: String

    func run() throws -> BenchmarkReport {
        let output = folder + "/bench-stepper-\(getpid()).nc"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let pools = threadCounts.map { ThreadPool(threads: $0) }
        var summaries = [[Simulation.Summary]](repeating: [], count: pools.count)
        for round in 0...repetitions {
            for (i, pool) in pools.enumerated() {
                let request = SimulationRequest(configuration: configuration, initial: nil, forcing: nil, days: days, output: output)
                let summary = try Simulation.run(request, pool: pool)
                if round > 0 { summaries[i].append(summary) }   // round 0 warms up
            }
        }
        let base = Timing(seconds: summaries[0].map(\.seconds))
        let cells = summaries[0][0].cells, steps = summaries[0][0].steps
        let baseRate = Double(cells * steps) / base.median / 1e6
        let results = zip(threadCounts, summaries).map { threads, runs -> BenchmarkResult in
            let timing = Timing(seconds: runs.map(\.seconds))
            let rate = Double(cells * steps) / timing.median / 1e6
            let daysPerHour = Double(days) / timing.median * 3600
            return BenchmarkResult("stepper", "\(cells) wet cells, \(steps) steps", threads, timing, rate: rate, unit: "Mcell-steps/s",
                                   reference: "stepper, \(threadCounts[0]) thread(s)", referenceRate: baseRate,
                                   note: String(format: "%.0f simulated days per wall hour", daysPerHour))
        }
        return BenchmarkReport(suite: "stepper", date: BenchmarkReport.now, machine: BenchmarkReport.machineDescription,
                               threads: threadCounts.max() ?? 1, repetitions: repetitions, results: results)
    }
}
