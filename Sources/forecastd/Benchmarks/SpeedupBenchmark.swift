import Foundation
import OceanGrid
import OceanStepper
import Surrogate
import Tensor

/// `forecastd bench speedup`: the same forecast made the traditional way and by the surrogate: the stepper
/// (`simulate`) and `run` from the same init, with the same forcing, for the same days, on the same grid and
/// threads, alternating within every round. The reference is the stepper; the ratios are its time over the
/// surrogate's whole forecast (NetCDF to NetCDF) and over the surrogate's network time alone.
struct SpeedupBenchmark {
    let model: String
    let stepperConfiguration: String
    let initial: String
    let forcing: String
    let days: Int
    let pool: ThreadPool
    let repetitions: Int
    let folder: String

    func run() throws -> BenchmarkReport {
        let stepperOutput = folder + "/bench-speedup-stepper-\(getpid()).nc", surrogateOutput = folder + "/bench-speedup-surrogate-\(getpid()).nc"
        defer { for path in [stepperOutput, surrogateOutput] { try? FileManager.default.removeItem(atPath: path) } }
        var stepper = Timing(), surrogate = Timing(), network = Timing()
        for round in 0...repetitions {
            let simulation = SimulationRequest(configuration: stepperConfiguration, initial: initial, forcing: forcing,
                                               days: days, output: stepperOutput)
            let stepperSeconds = try Timing.measure { _ = try Simulation.run(simulation, pool: pool) }
            var forecast = ForecastRequest(model: model, initial: initial, forcing: forcing, output: surrogateOutput)
            forecast.days = days
            forecast.deflateLevel = 0
            var summary: ForecastSummary?
            let surrogateSeconds = try Timing.measure { summary = try ForecastJob.run(forecast, pool: pool) }
            guard round > 0 else { continue }   // round 0 warms up
            stepper.seconds.append(stepperSeconds)
            surrogate.seconds.append(surrogateSeconds)
            network.seconds.append(summary!.timings.network)
        }
        let size = "\(days) days, \((model as NSString).lastPathComponent)"
        func result(_ name: String, _ timing: Timing, note: String) -> BenchmarkResult {
            BenchmarkResult(name, size, pool.threadCount, timing, rate: 3600 / timing.median, unit: "forecasts/h",
                            reference: "stepper, same forecast", referenceRate: 3600 / stepper.median, note: note)
        }
        return BenchmarkReport(suite: "speedup", date: BenchmarkReport.now, machine: BenchmarkReport.machineDescription,
                               threads: pool.threadCount, repetitions: repetitions, results: [
                                   result("stepper", stepper, note: "simulate from the same init and forcing (the reference)"),
                                   result("surrogate_forecast", surrogate, note: "run: read, fluxes, network, write, NetCDF to NetCDF"),
                                   result("surrogate_network", network, note: "the network's share of that forecast"),
                               ])
    }
}
