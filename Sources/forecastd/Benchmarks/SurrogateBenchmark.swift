import Foundation
import OceanGrid
import OceanStepper
import Surrogate
import Tensor

/// `forecastd bench surrogate DIR`: forward passes of a model folder's network on its `inputs.safetensors`
/// (state, flux) or, without one or with another grid asked for, on seeded random fields at that grid. The first two passes plan
/// the arena and are not timed. Prints per-pass times and the FMA peak measured at the same thread count, so
/// that tools/bench_surrogate.py can set them beside ONNX Runtime's, interleaved in one run.
struct SurrogateBenchmark: JSONReport {
    var folder: String
    var threads: Int
    /// The matrix products' precision and the instruction path taken.
    var precision: String
    var instructionPath: String
    var gflopPerStep: Double
    var passMilliseconds: [Double]
    var medianMilliseconds: Double
    var gflops: Double
    var fmaPeakGflops: Double
    var fractionOfPeak: Double
    var height: Int
    var width: Int
    /// Peak resident memory of the process after the passes (MiB).
    var peakRSSMebibytes: Double
    /// Per part of the network: median-pass share of time, milliseconds per pass and GFLOP/s.
    var parts: [PartTiming]

    struct PartTiming: Encodable {
        var name: String
        var milliseconds: Double
        var gflops: Double
    }

    init(folder: String, pool: ThreadPool, repetitions: Int, grid: (height: Int, width: Int)? = nil,
         precision: PrecisionChoice? = nil) throws {
        let model = try Surrogate(folder: folder, pool: pool, precision: precision)
        let c = model.configuration
        let inputs = (folder as NSString).appendingPathComponent("inputs.safetensors")
        let state: Tensor, flux: Tensor
        if grid == nil, FileManager.default.fileExists(atPath: inputs) {
            let file = try SafeTensorsFile(path: inputs)
            (state, flux) = (try file.tensor("state"), try file.tensor("flux"))
        } else {
            let (h, w) = grid ?? (c.grid.height, c.grid.width)
            state = RandomTensor.uniform([c.stateChannels, h, w], seed: 1)
            flux = RandomTensor.uniform([c.fluxChannels, h, w], seed: 2)
        }
        let change = Tensor(zeros: state.shape)
        for _ in 0..<2 { try model.forward(state: state, flux: flux, into: change) }
        var timing = Timing()
        model.resetProfile()
        for _ in 0..<repetitions {
            timing.seconds.append(try Timing.measure { try model.forward(state: state, flux: flux, into: change) })
        }
        let cost = SurrogateCost(c, height: state.shape[1], width: state.shape[2])
        self.folder = folder
        (height, width) = (state.shape[1], state.shape[2])
        peakRSSMebibytes = peakResidentMebibytes()
        threads = pool.threadCount
        self.precision = model.precision.rawValue
        instructionPath = ProcessorCapabilities.taken.description
        gflopPerStep = cost.flops / 1e9
        passMilliseconds = timing.seconds.map { $0 * 1000 }
        medianMilliseconds = timing.median * 1000
        gflops = cost.flops / timing.median / 1e9
        fmaPeakGflops = FMAPeak.measure(pool: pool, rounds: 3, smoke: false).gflops
        fractionOfPeak = gflops / fmaPeakGflops
        let (seconds, passes) = model.partSeconds
        parts = SurrogateProfile.Part.allCases.map { part in
            let flops = cost.parts.filter { part.costParts.contains($0.name) }.reduce(0) { $0 + $1.flops }
            let perPass = (seconds[part] ?? 0) / Double(max(passes, 1))
            return PartTiming(name: part.rawValue, milliseconds: perPass * 1000, gflops: flops / perPass / 1e9)
        }
    }

    func text() -> String {
        let lines = parts.map { String(format: "  %@ %9.1f ms  %6.1f GFLOP/s", $0.name.padding(toLength: 16, withPad: " ", startingAt: 0), $0.milliseconds, $0.gflops) }
        return String(format: "%@ on %dx%d: %d threads, %@ on %@, %.3f GFLOP per step, median %.1f ms over %d passes (%.1f-%.1f), "
               + "%.1f GFLOP/s = %.0f%% of the %.0f GFLOP/s FMA peak, peak RSS %.0f MiB", folder, height, width, threads, precision, instructionPath, gflopPerStep,
               medianMilliseconds, passMilliseconds.count, passMilliseconds.min() ?? 0, passMilliseconds.max() ?? 0,
               gflops, 100 * fractionOfPeak, fmaPeakGflops, peakRSSMebibytes) + "\n" + lines.joined(separator: "\n")
    }
}
