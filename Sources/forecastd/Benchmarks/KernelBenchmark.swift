import CBLAS
import Foundation
import Tensor

/// `forecastd bench kernels`: every Tensor kernel against the reference the issue names for it, measured
/// interleaved in the same run: the GEMM wrapper against `cblas_sgemm` called directly, pointwise and
/// normalisation kernels against memcpy bandwidth, fused window attention against the unfused operator
/// sequence, convolutions against the measured FMA peak, every matrix product of the WenHai-scale network against
/// its roofline floor (``RooflineBenchmark``).
struct KernelBenchmark {
    let threads: Int
    let repetitions: Int
    let smoke: Bool

    init(threads: Int?, repetitions: Int, smoke: Bool) {
        self.threads = threads ?? ThreadPool.defaultThreadCount
        self.repetitions = repetitions
        self.smoke = smoke
    }

    func run() -> BenchmarkReport {
        let single = ThreadPool(threads: 1), pool = ThreadPool(threads: threads)
        var results: [BenchmarkResult] = []
        let (peak1, peakTiming1) = FMAPeak.measure(pool: single, rounds: repetitions, smoke: smoke)
        let (peakN, peakTimingN) = FMAPeak.measure(pool: pool, rounds: repetitions, smoke: smoke)
        results.append(BenchmarkResult("fma_peak", "registers", 1, peakTiming1, rate: peak1, unit: "GFLOP/s",
                              reference: "-", referenceRate: peak1, note: "best of the rounds: the ceiling"))
        if threads > 1 {
            results.append(BenchmarkResult("fma_peak", "registers", threads, peakTimingN, rate: peakN, unit: "GFLOP/s",
                                  reference: "fma_peak 1 thread", referenceRate: peak1, note: "scaling of the ceiling"))
        }
        results += gemm(single: single, pool: pool, peak1: peak1, peakN: peakN)
        let memory = pointwise(pool: pool)
        results += memory
        results += attention(pool: pool)
        results += convolutions(pool: pool, peak: peakN)
        results += RooflineBenchmark(pool: pool, repetitions: repetitions, smoke: smoke)
            .run(fmaPeak: peakN, bandwidth: memory.first { $0.name == "memcpy" }?.rate ?? .nan)
        return BenchmarkReport(suite: "kernels", date: BenchmarkReport.now, machine: BenchmarkReport.machineDescription,
                               threads: threads, repetitions: repetitions, results: results)
    }

    private func gemm(single: ThreadPool, pool: ThreadPool, peak1: Double, peakN: Double) -> [BenchmarkResult] {
        let m = smoke ? 256 : 4096
        var out: [BenchmarkResult] = []
        for (k, n) in [(96, 288), (96, 384), (384, 96)] {
            let a = RandomTensor.uniform([m, k], seed: 1), w = RandomTensor.uniform([k, n], seed: 2)
            let c = Tensor(zeros: [m, n]), direct = Tensor(zeros: [m, n])
            let flops = 2.0 * Double(m * k * n), size = "\(m)x\(k) * \(k)x\(n)"
            let pa = a.pointer, pw = w.pointer, pd = direct.pointer
            let blas = { (threads: Int32) in
                openblas_set_num_threads(threads)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, pa, Int32(k),
                            pw, Int32(n), 0, pd, Int32(n))
                openblas_set_num_threads(1)
            }
            let t = Timing.interleaved(rounds: repetitions, [
                { GEMM.multiply(a, w, into: c, pool: single) },
                { blas(1) },
                { GEMM.multiply(a, w, into: c, pool: pool) },
                { blas(Int32(threads)) },
            ])
            let ours1 = flops / t[0].median / 1e9, blas1 = flops / t[1].median / 1e9
            let oursN = flops / t[2].median / 1e9, blasN = flops / t[3].median / 1e9
            out.append(BenchmarkResult("gemm", size, 1, t[0], rate: ours1, unit: "GFLOP/s", reference: "cblas_sgemm direct 1T",
                              referenceRate: blas1, note: String(format: "goal >= 0.95x; %.0f%% of FMA peak", 100 * ours1 / peak1)))
            if threads > 1 {
                out.append(BenchmarkResult("gemm", size, threads, t[2], rate: oursN, unit: "GFLOP/s", reference: "gemm wrapper 1T",
                                  referenceRate: ours1,
                                  note: String(format: "goal >= 1.6x; OpenBLAS %dT direct %.1f; %.0f%% of FMA peak",
                                               threads, blasN, 100 * oursN / peakN)))
            }
        }
        return out
    }

    private func pointwise(pool: ThreadPool) -> [BenchmarkResult] {
        let count = smoke ? 1 << 18 : 1 << 24
        let x = RandomTensor.uniform([count], seed: 3, range: -4...4), y = RandomTensor.uniform([count], seed: 4)
        let out = Tensor(zeros: [count]), copy = Tensor(zeros: [count])
        let c = 96, rows = count / c
        let gamma = RandomTensor.uniform([c], seed: 5), beta = RandomTensor.uniform([c], seed: 6)
        let xr = x.slice(0, 0..<(rows * c)).reshaped([rows, c]), outr = out.slice(0, 0..<(rows * c)).reshaped([rows, c])
        let xs = x.reshaped([count / 64, 64]), outs = out.reshaped([count / 64, 64])
        let px = x.pointer, pc = copy.pointer
        let memcpyParallel = {
            pool.parallelRanges(count, grain: 1 << 16) { r in (pc + r.lowerBound).update(from: px + r.lowerBound, count: r.count) }
        }
        let kernels: [(String, Double, () -> Void)] = [
            ("gelu", 2, { Elementwise.apply(.gelu, x, into: out, pool: pool) }),
            ("gelu_tanh", 2, { Elementwise.apply(.geluTanh, x, into: out, pool: pool) }),
            ("silu", 2, { Elementwise.apply(.silu, x, into: out, pool: pool) }),
            ("add", 3, { Elementwise.add(x, y, into: out, pool: pool) }),
            ("layernorm_c96", 2, { Normalization.layerNorm(xr, gamma: gamma, beta: beta, into: outr, pool: pool) }),
            ("softmax_rows64", 2, { Softmax.rows(xs, into: outs, pool: pool) }),
        ]
        let t = Timing.interleaved(rounds: repetitions, [memcpyParallel] + kernels.map { $0.2 })
        let bytes = Double(count * 4)
        let memcpyRate = 2 * bytes / t[0].median / 1e9
        var results = [BenchmarkResult("memcpy", "\(count) floats", threads, t[0], rate: memcpyRate, unit: "GB/s",
                              reference: "-", referenceRate: memcpyRate, note: "read + write bytes")]
        for (i, (name, passes, _)) in kernels.enumerated() {
            let rate = passes * bytes / t[i + 1].median / 1e9
            results.append(BenchmarkResult(name, "\(count) floats", threads, t[i + 1], rate: rate, unit: "GB/s",
                                  reference: "memcpy", referenceRate: memcpyRate, note: "goal >= 0.5x"))
        }
        return results
    }

    private func attention(pool: ThreadPool) -> [BenchmarkResult] {
        let side = smoke ? 16 : 64, c = 96, heads = 3, window = 8
        let g = WindowGeometry(height: side, width: side, window: window, shift: window / 2)
        let qkv = RandomTensor.uniform([side * side, 3 * c], seed: 7, range: -2...2)
        let table = RandomTensor.uniform([(2 * window - 1) * (2 * window - 1), heads], seed: 8, range: -1...1)
        let bias = RelativePositionBias(table: table, window: window)
        let unfused = UnfusedWindowAttention(geometry: g, heads: heads, bias: bias)
        let fusedOut = Tensor(zeros: [side * side, c]), unfusedOut = Tensor(zeros: [side * side, c])
        let arena = Arena()
        let t = Timing.interleaved(rounds: repetitions, [
            { WindowAttention.fused(qkv: qkv, geometry: g, heads: heads, bias: bias, into: fusedOut, arena: arena, pool: pool) },
            { unfused(qkv: qkv, into: unfusedOut, arena: arena, pool: pool) },
        ])
        let a = fusedOut.toArray(), b = unfusedOut.toArray()
        let scale = b.map(abs).max() ?? 1
        let difference = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        let n = Double(window * window), flops = Double(g.windowCount * heads) * 4 * n * n * Double(c / heads)
        let fused = flops / t[0].median / 1e9, reference = flops / t[1].median / 1e9
        return [BenchmarkResult("window_attention", "\(side * side) tokens C\(c) \(heads) heads w\(window) shifted", threads, t[0],
                       rate: fused, unit: "GFLOP/s", reference: "unfused sequence", referenceRate: reference,
                       note: String(format: "goal >= 2x; max |diff| / max |out| = %.1e", difference / scale))]
    }

    private func convolutions(pool: ThreadPool, peak: Double) -> [BenchmarkResult] {
        let context = ExecutionContext(pool: pool)
        let side = smoke ? 16 : 64
        var cases: [(String, Double, () -> Void)] = []
        // 3x3 stride 1 and 2, C 96 -> 96, on a side x side map.
        for stride in [1, 2] {
            let conv = Conv2d(pytorchWeight: RandomTensor.uniform([96, 96, 3, 3], seed: 9), bias: RandomTensor.uniform([96], seed: 10),
                              stride: stride, padding: 1)
            let x = RandomTensor.uniform([side, side, 96], seed: 11)
            let (ho, wo) = conv.outputSize(height: side, width: side)
            let out = Tensor(zeros: [ho, wo, 96])
            cases.append(("conv3x3_s\(stride)", 2.0 * Double(ho * wo * 96 * 9 * 96), { conv(x, into: out, context: context) }))
        }
        // Patch embedding, patch 4, 29 -> 96 channels on a (4 side)^2 grid.
        let patch = Conv2d(pytorchWeight: RandomTensor.uniform([96, 29, 4, 4], seed: 12), bias: RandomTensor.uniform([96], seed: 13),
                           stride: 4, padding: 0)
        let grid = RandomTensor.uniform([4 * side, 4 * side, 29], seed: 14)
        let embedded = Tensor(zeros: [side, side, 96])
        cases.append(("patch_embed_p4", 2.0 * Double(side * side * 96 * 16 * 29), { patch(grid, into: embedded, context: context) }))
        let up = ConvTranspose2d(pytorchWeight: RandomTensor.uniform([96, 96, 2, 2], seed: 15), bias: RandomTensor.uniform([96], seed: 16))
        let small = RandomTensor.uniform([side / 2, side / 2, 96], seed: 17), upOut = Tensor(zeros: [side, side, 96])
        cases.append(("conv_transpose_k2s2", 2.0 * Double(side * side / 4 * 96 * 4 * 96), { up(small, into: upOut, context: context) }))
        let t = Timing.interleaved(rounds: repetitions, cases.map { $0.2 })
        return cases.enumerated().map { i, c in
            let rate = c.1 / t[i].median / 1e9
            return BenchmarkResult(c.0, "\(side)x\(side)", threads, t[i], rate: rate, unit: "GFLOP/s", reference: "FMA peak",
                          referenceRate: peak, note: "im2col + GEMM")
        }
    }
}
