import CBulkFluxes
import CProcessor
import Foundation
import Testing

/// Values computed on a thread of their own (its floating-point environment dies with it).
private final class OtherThread: @unchecked Sendable {
    private var values: [Double] = []

    static func values(_ body: @escaping @Sendable () -> [Double]) -> [Double] {
        let result = OtherThread(), done = DispatchSemaphore(value: 0)
        Thread {
            result.values = body()
            done.signal()
        }.start()
        done.wait()
        return result.values
    }
}

/// The bulk kernels' own log, exp and atan against the C library's, value by value.
@Suite("Bulk-flux kernels' log, exp and atan against libm")
struct VectorMathTests {
    /// Distance in units in the last place of `expected`.
    static func ulps(_ value: Double, _ expected: Double) -> Double {
        value == expected ? 0 : abs(value - expected) / expected.magnitude.ulp
    }

    @Test("200 000 values each, over the whole normal range and the ranges the formulae use: within 1 ulp")
    func withinOneUlp() {
        var generator = SystemRandomNumberGenerator()
        var worst = (log: 0.0, exp: 0.0, atan: 0.0)
        for _ in 0..<200_000 {
            let wide = Double.random(in: -700...700, using: &generator), near = Double.random(in: 0.2...5, using: &generator)
            for x in [Foundation.exp(wide), near] {
                worst.log = max(worst.log, Self.ulps(fd_vector_log(x), Foundation.log(x)))
            }
            for x in [Double.random(in: -708...709.7, using: &generator), Double.random(in: -30...30, using: &generator)] {
                worst.exp = max(worst.exp, Self.ulps(fd_vector_exp(x), Foundation.exp(x)))
            }
            let a = 1 + Foundation.exp(Double.random(in: -20...30, using: &generator))
            worst.atan = max(worst.atan, Self.ulps(fd_vector_atan_from_one(a), Foundation.atan(a)))
        }
        #expect(worst.log <= 1, "log: \(worst.log) ulp")
        #expect(worst.exp <= 1, "exp: \(worst.exp) ulp")
        #expect(worst.atan <= 1, "atan: \(worst.atan) ulp")
    }

    @Test("Edges: NaN, zero, negative, subnormal, infinities, overflow and underflow as libm gives them")
    func edges() {
        #expect(fd_vector_log(.nan).isNaN && fd_vector_log(-1).isNaN)
        #expect(fd_vector_log(0) == -.infinity && fd_vector_log(.infinity) == .infinity)
        // Subnormals against fixed values (libm itself misreads them on a thread with denormals-are-zero, which
        // other tests' threads may have set), on this thread and on one that sets flush-to-zero as forecastd's
        // compute threads do.
        let subnormals: [(Double, Double)] = [(5e-324, -744.4400719213812), (1e-310, -713.8013788281542)]
        for (x, expected) in subnormals { #expect(Self.ulps(fd_vector_log(x), expected) <= 1, "log(\(x))") }
        let flushed = OtherThread.values {
            fd_enable_flush_to_zero()
            return subnormals.map { fd_vector_log($0.0) }
        }
        #expect(zip(flushed, subnormals).allSatisfy { Self.ulps($0, $1.1) <= 1 }, "with denormals-are-zero: \(flushed)")
        #expect(fd_vector_log(1) == 0)
        #expect(fd_vector_exp(.nan).isNaN && fd_vector_exp(0) == 1)
        #expect(fd_vector_exp(709.79) == .infinity && fd_vector_exp(.infinity) == .infinity)
        #expect(Self.ulps(fd_vector_exp(709.78), Foundation.exp(709.78)) <= 1)
        #expect(fd_vector_exp(-800) == 0 && fd_vector_exp(-.infinity) == 0)
        #expect(fd_vector_atan_from_one(.nan).isNaN && fd_vector_atan_from_one(1) == Double.pi / 4)
        #expect(Self.ulps(fd_vector_atan_from_one(.infinity), Double.pi / 2) <= 1)
    }
}
