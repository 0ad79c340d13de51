import CKernels
import Tensor

/// The machine's measured fused-multiply-add ceiling: twelve independent FMA chains per thread, no memory
/// traffic, run on every thread of a pool. Kernel rates are quoted as a fraction of it.
enum FMAPeak {
    /// GFLOP/s of the FMA loop on all threads of `pool` (its best of `rounds` runs, the ceiling), and the times.
    static func measure(pool: ThreadPool, rounds: Int, smoke: Bool) -> (gflops: Double, timing: Timing) {
        let iterations = smoke ? 20_000 : 2_000_000
        let timing = Timing.interleaved(rounds: rounds, [{ pool.parallelFor(pool.threadCount) { _, _ in sink(chains(iterations)) } }])[0]
        return (Double(pool.threadCount * iterations * 12 * 16 * 2) / timing.minimum / 1e9, timing)
    }

    @inline(never) static func sink(_ v: Vector) {
        if v[0] == 42.4242 { print(v) }
    }

    @inline(never) static func chains(_ iterations: Int) -> Vector {
        let a = Vector(repeating: 0.999_999), b = Vector(repeating: 1e-7)
        var c0 = Vector(repeating: 1), c1 = c0 + 1, c2 = c0 + 2, c3 = c0 + 3, c4 = c0 + 4, c5 = c0 + 5
        var c6 = c0 + 6, c7 = c0 + 7, c8 = c0 + 8, c9 = c0 + 9, c10 = c0 + 10, c11 = c0 + 11
        for _ in 0..<iterations {
            c0 = b.addingProduct(c0, a); c1 = b.addingProduct(c1, a); c2 = b.addingProduct(c2, a)
            c3 = b.addingProduct(c3, a); c4 = b.addingProduct(c4, a); c5 = b.addingProduct(c5, a)
            c6 = b.addingProduct(c6, a); c7 = b.addingProduct(c7, a); c8 = b.addingProduct(c8, a)
            c9 = b.addingProduct(c9, a); c10 = b.addingProduct(c10, a); c11 = b.addingProduct(c11, a)
        }
        return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11
    }
}

/// The bf16 dot-product ceiling (VDPBF16PS: 16 lanes x 2 products, fp32 accumulation): twelve independent chains
/// per thread on every thread of a pool, as ``FMAPeak`` measures fp32 FMA. The matrix products' bf16 rates are
/// quoted against it where the instruction path has bf16 and no AMX.
enum BF16DotPeak {
    /// GFLOP/s on all threads of `pool` (best of `rounds`), and the times.
    static func measure(pool: ThreadPool, rounds: Int, smoke: Bool) -> (gflops: Double, timing: Timing) {
        let iterations = smoke ? 20_000 : 2_000_000
        let timing = Timing.interleaved(rounds: rounds, [{
            pool.parallelFor(pool.threadCount) { _, _ in
                if fd_bf16_dot_chains(iterations) == 42.4242 { print("unlikely") }
            }
        }])[0]
        return (Double(pool.threadCount * iterations * 12 * 64) / timing.minimum / 1e9, timing)
    }
}
