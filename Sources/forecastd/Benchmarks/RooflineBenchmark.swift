import Foundation
import Surrogate
import Tensor

/// Every matrix product shape of the WenHai-scale network (tools/reference/make_models.py's "wenhai": 720 x 1440,
/// 93 state + 8 flux channels, patch 4, 192 channels, 8 Swin blocks) timed as ``PackedGEMM`` computes it in the
/// precision the instruction path does best, against its roofline floor: the larger of its FLOPs over the
/// measured matrix ceiling (the bf16 dot-product peak where the path has bf16, else the FMA peak; AMX, where
/// present, is not used by these kernels) and its bytes moved (A and C in fp32, W packed) over the measured copy
/// bandwidth. The goal is every shape at >= 50% of its floor.
struct RooflineBenchmark {
    let pool: ThreadPool
    let repetitions: Int
    let smoke: Bool

    static let wenhaiScale = SurrogateConfiguration(grid: .init(height: 720, width: 1440), stateChannels: 93, fluxChannels: 8,
                                                    patchSize: 4, embedDim: 192, depths: [8], numHeads: [6], windowSize: 8,
                                                    groupNormGroups: 32)

    /// `bandwidth`: the memcpy rate (GB/s, read + write) measured in the same run.
    func run(fmaPeak: Double, bandwidth: Double) -> [BenchmarkResult] {
        let precision: MatrixPrecision = ProcessorCapabilities.taken >= .avx512bf16 ? .bf16 : .fp32
        let (peak, peakTiming) = precision == .bf16
            ? BF16DotPeak.measure(pool: pool, rounds: repetitions, smoke: smoke) : (fmaPeak, Timing())
        var results: [BenchmarkResult] = []
        if precision == .bf16 {
            results.append(BenchmarkResult("bf16_dot_peak", "registers", pool.threadCount, peakTiming, rate: peak, unit: "GFLOP/s",
                                           reference: "fma_peak", referenceRate: fmaPeak, note: "VDPBF16PS chains: the bf16 ceiling"))
        }
        let amx = ProcessorCapabilities.current.missing(for: .amx)
        results.append(BenchmarkResult(name: "amx_peak", size: "-", threads: pool.threadCount, medianMilliseconds: 0, minMilliseconds: 0,
                                       maxMilliseconds: 0, rate: 0, unit: "GFLOP/s", reference: "-", referenceRate: 1, ratio: 0,
                                       note: "not measured: " + (amx.isEmpty ? "forecastd's kernels have no AMX path yet"
                                                                 : "this processor lacks \(amx.joined(separator: ", "))")))
        let cost = SurrogateCost(Self.wenhaiScale, height: 720, width: 1440)
        var seen = Set<[Int]>()
        for product in cost.products where seen.insert([product.m, product.k, product.n]).inserted {
            let m = smoke ? min(product.m, 256) : product.m, k = product.k, n = product.n
            let a = RandomTensor.uniform([m, k], seed: 1), out = Tensor(zeros: [m, n])
            let w = PackedMatrix(RandomTensor.uniform([k, n], seed: 2), precision: precision)
            let timing = Timing.interleaved(rounds: repetitions, [{
                PackedGEMM.multiply(a, w, bias: nil, epilogue: .none, into: out, pool: pool)
            }])[0]
            let flops = 2 * Double(m) * Double(k) * Double(n)
            let bytes = Double(4 * m * k + 4 * m * n) + Double(k * n) * (precision == .bf16 ? 2 : 4)
            let floor = max(flops / (peak * 1e9), bytes / (bandwidth * 1e9))
            let rate = flops / timing.median / 1e9
            results.append(BenchmarkResult("roofline \(precision)", "\(product.name): \(m)x\(k) * \(k)x\(n)", pool.threadCount, timing,
                                           rate: rate, unit: "GFLOP/s", reference: "roofline floor", referenceRate: flops / floor / 1e9,
                                           note: String(format: "goal >= 50%% of the floor; %@-bound (%.1f GB/s copy, %.0f GFLOP/s peak)",
                                                        flops / (peak * 1e9) >= bytes / (bandwidth * 1e9) ? "compute" : "memory",
                                                        bandwidth, peak)))
        }
        return results
    }
}
