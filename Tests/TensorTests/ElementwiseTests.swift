import Foundation
import Tensor
import Testing

@Suite("Pointwise kernels against Float64 references")
struct ElementwiseTests {
    let pool = ThreadPool(threads: 2)

    static func gelu(_ x: Double) -> Double { x.isInfinite ? (x > 0 ? x : 0) : 0.5 * x * erfc(-x / 2.0.squareRoot()) }
    /// 0.5 x (1 + tanh u) written as x / (1 + e^(-2u)), which is exact in Float64 where 1 + tanh u cancels.
    static func geluTanh(_ x: Double) -> Double {
        x.isInfinite ? (x > 0 ? x : 0) : x / (1 + exp(-2 * (2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }
    static func silu(_ x: Double) -> Double { x.isInfinite ? (x > 0 ? x : 0) : x / (1 + exp(-x)) }

    @Test("Activations: relative error <= 1e-5 elementwise on [-8, 8], every awkward size", arguments: Activation.allCases)
    func activations(_ activation: Activation) {
        let reference: (Double) -> Double = switch activation {
        case .identity: { $0 }
        case .gelu: Self.gelu
        case .geluTanh: Self.geluTanh
        case .silu: Self.silu
        }
        for (index, n) in awkwardCounts.enumerated() {
            let x = RandomTensor.uniform([n], seed: UInt64(index), range: -8...8)
            let out = Tensor(zeros: [n])
            Elementwise.apply(activation, x, into: out, pool: pool)
            let error = Check.relativeError(out.toArray(), x.toArray().map { reference(Double($0)) })
            #expect(error <= 1e-5, "\(activation) n=\(n): relative error \(error)")
        }
    }

    @Test("Activations: NaN propagates, infinities take their limits", arguments: [Activation.gelu, .geluTanh, .silu])
    func activationSpecialValues(_ activation: Activation) {
        let x = Tensor(shape: [5], values: [.nan, .infinity, -.infinity, 0, -100])
        Elementwise.apply(activation, x, into: x, pool: pool)
        let y = x.toArray()
        #expect(y[0].isNaN)
        #expect(y[1] == .infinity)
        #expect(y[2] == 0)
        #expect(y[3] == 0)
        #expect(abs(y[4]) < 1e-30)
    }

    @Test("add, multiply, axpy exactly match Float32 arithmetic; NaN and Inf propagate")
    func arithmetic() {
        for (index, n) in awkwardCounts.enumerated() {
            let a = RandomTensor.uniform([n], seed: UInt64(100 + index)), b = RandomTensor.uniform([n], seed: UInt64(200 + index))
            if n > 2 { a[0] = .nan; a[1] = .infinity; b[1] = -.infinity }
            let sum = Tensor(zeros: [n]), product = Tensor(zeros: [n])
            Elementwise.add(a, b, into: sum, pool: pool)
            Elementwise.multiply(a, b, into: product, pool: pool)
            let yCopy = Tensor(shape: [n], values: b.toArray())
            Elementwise.axpy(alpha: 0.5, x: a, y: yCopy, pool: pool)
            let av = a.toArray(), bv = b.toArray()
            let wantSum = zip(av, bv).map { Double($0 + $1) }
            let wantProduct = zip(av, bv).map { Double($0 * $1) }
            let wantAxpy = zip(av, bv).map { Double($1 + 0.5 * $0) }
            #expect(Check.relativeError(sum.toArray(), wantSum) == 0)
            #expect(Check.relativeError(product.toArray(), wantProduct) == 0)
            #expect(Check.relativeError(yCopy.toArray(), wantAxpy) <= 1e-6)
            if n > 2 {
                #expect(sum.toArray()[0].isNaN)
                #expect(sum.toArray()[1].isNaN) // inf + -inf
            }
        }
    }

    @Test("clip per channel keeps NaN; select broadcasts a mask over trailing channels")
    func clipAndSelect() {
        let channels = 19, cells = 37
        let x = RandomTensor.uniform([cells, channels], seed: 5, range: -3...3)
        x[0, 0] = .nan
        let lower = (0..<channels).map { -Float($0) / 10 }, upper = (0..<channels).map { Float($0) / 10 }
        let out = Tensor(zeros: [cells, channels])
        Elementwise.clip(x, lower: lower, upper: upper, into: out, pool: pool)
        for i in 0..<cells {
            for c in 0..<channels {
                let v = x[i, c]
                if v.isNaN { #expect(out[i, c].isNaN); continue }
                #expect(out[i, c] == min(max(v, lower[c]), upper[c]))
            }
        }
        let mask = Tensor(shape: [cells], values: (0..<cells).map { Float($0 % 3 == 0 ? 0 : 1) })
        let fill = Tensor(zeros: [cells, channels])
        fill.fill(.nan)
        let selected = Tensor(zeros: [cells, channels])
        Elementwise.select(mask: mask, x, fill, into: selected, pool: pool)
        for i in 0..<cells {
            for c in 0..<channels {
                if i % 3 == 0 { #expect(selected[i, c].isNaN) } else { #expect(selected[i, c].bitPattern == x[i, c].bitPattern) }
            }
        }
        // Elementwise mask of the full shape, odd size.
        let m = RandomTensor.uniform([cells * channels], seed: 6)
        let full = Tensor(zeros: [cells * channels])
        Elementwise.select(mask: m, x.reshaped([cells * channels]), fill.reshaped([cells * channels]), into: full, pool: pool)
        let mv = m.toArray(), xv = x.toArray(), got = full.toArray()
        for i in 0..<(cells * channels) {
            #expect(got[i].bitPattern == (mv[i] != 0 ? xv[i] : Float.nan).bitPattern)
        }
    }
}
