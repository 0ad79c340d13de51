import Tensor
import Testing

@Suite("GEMM and Linear against a Float64 reference")
struct GEMMTests {
    let pool = ThreadPool(threads: 2)

    static func product(_ a: [Float], _ w: [Float], m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for p in 0..<k { let x = Double(a[i * k + p]); for j in 0..<n { c[i * n + j] += x * Double(w[p * n + j]) } } }
        return c
    }

    @Test("C = A W with every epilogue: error <= 1e-4",
          arguments: [(1, 5, 3), (17, 33, 65), (129, 96, 288), (300, 7, 1), (0, 4, 4), (5, 0, 3), (64, 384, 96)])
    func epilogues(m: Int, k: Int, n: Int) {
        let a = RandomTensor.uniform([m, k], seed: UInt64(m + 7 * k)), w = RandomTensor.uniform([k, n], seed: UInt64(n + 3))
        let bias = RandomTensor.uniform([n], seed: 11), residual = RandomTensor.uniform([m, n], seed: 12)
        let base = Self.product(a.toArray(), w.toArray(), m: m, k: k, n: n)
        let bv = bias.toArray().map(Double.init), rv = residual.toArray().map(Double.init)
        let withBias = base.enumerated().map { $1 + bv[$0 % max(n, 1)] }
        let cases: [(Epilogue, [Double])] = [
            (.none, base),
            (.bias, withBias),
            (.biasActivation(.gelu), withBias.map(ElementwiseTests.gelu)),
            (.biasActivation(.silu), withBias.map(ElementwiseTests.silu)),
            (.biasResidual(residual), zip(withBias, rv).map { $0 + $1 }),
        ]
        for (epilogue, want) in cases {
            let c = Tensor(zeros: [m, n])
            c.fill(.nan) // every element must be overwritten
            GEMM.multiply(a, w, bias: bias, epilogue: epilogue, into: c, pool: pool)
            let error = Check.scaledError(c.toArray(), want)
            #expect(error <= 1e-4, "\(m)x\(k)x\(n) \(epilogue): error \(error)")
        }
        // In place: the residual is the output itself (x = x + A W + b), accumulated by the GEMM.
        let c = Tensor(shape: residual.shape, values: residual.toArray())
        GEMM.multiply(a, w, bias: bias, epilogue: .biasResidual(c), into: c, pool: pool)
        let error = Check.scaledError(c.toArray(), zip(withBias, rv).map { $0 + $1 })
        #expect(error <= 1e-4, "\(m)x\(k)x\(n) in-place residual: error \(error)")
    }

    @Test("Linear takes PyTorch's [out, in] weight; NaN in a row of A reaches only that output row")
    func linear() {
        let m = 23, k = 40, n = 19
        let weight = RandomTensor.uniform([n, k], seed: 1), bias = RandomTensor.uniform([n], seed: 2)
        let layer = Linear(pytorchWeight: weight, bias: bias)
        #expect(layer.inputFeatures == k && layer.outputFeatures == n)
        let x = RandomTensor.uniform([m, k], seed: 3)
        x[4, 9] = .nan
        let out = Tensor(zeros: [m, n])
        layer(x, into: out, context: ExecutionContext(pool: pool))
        let xv = x.toArray(), wv = weight.toArray(), bv = bias.toArray()
        var want = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n {
            var s = Double(bv[j])
            for p in 0..<k { s += Double(xv[i * k + p]) * Double(wv[j * k + p]) }
            want[i * n + j] = s
        } }
        #expect(Check.scaledError(out.toArray(), want) <= 1e-4)
        for j in 0..<n {
            #expect(out[4, j].isNaN)
            #expect(out[5, j].isFinite)
        }
    }

    @Test("PackedGEMM: packed weights, every epilogue, tails of the 8 x 48 tile and K past one 256 block",
          arguments: [(1, 5, 3), (17, 300, 65), (13, 96, 100), (100, 768, 48), (9, 1, 49), (0, 4, 4), (5, 0, 3)])
    func packed(m: Int, k: Int, n: Int) {
        let a = RandomTensor.uniform([m, k], seed: UInt64(3 * m + k)), w = RandomTensor.uniform([k, n], seed: UInt64(n))
        let bias = RandomTensor.uniform([n], seed: 5), residual = RandomTensor.uniform([m, n], seed: 6)
        let packed = PackedMatrix(w)
        let base = Self.product(a.toArray(), w.toArray(), m: m, k: k, n: n)
        let bv = bias.toArray().map(Double.init), rv = residual.toArray().map(Double.init)
        let withBias = base.enumerated().map { $1 + bv[$0 % max(n, 1)] }
        for (epilogue, want) in [(Epilogue.none, base), (.bias, withBias), (.biasActivation(.gelu), withBias.map(ElementwiseTests.gelu)),
                                 (.biasResidual(residual), zip(withBias, rv).map { $0 + $1 })] {
            let c = Tensor(zeros: [m, n])
            c.fill(.nan)
            PackedGEMM.multiply(a, packed, bias: bias, epilogue: epilogue, into: c, pool: pool)
            let error = Check.scaledError(c.toArray(), want)
            #expect(error <= 1e-4, "\(m)x\(k)x\(n) \(epilogue): error \(error)")
        }
        let c = Tensor(shape: residual.shape, values: residual.toArray())
        PackedGEMM.multiply(a, packed, bias: bias, epilogue: .biasResidual(c), into: c, pool: pool)
        #expect(Check.scaledError(c.toArray(), zip(withBias, rv).map { $0 + $1 }) <= 1e-4, "\(m)x\(k)x\(n) in place")
    }

    @Test("1 and 2 threads agree within 1e-6")
    func threadCountsAgree() {
        let a = RandomTensor.uniform([1000, 96], seed: 1), w = RandomTensor.uniform([96, 288], seed: 2)
        let one = Tensor(zeros: [1000, 288]), two = Tensor(zeros: [1000, 288])
        GEMM.multiply(a, w, into: one, pool: ThreadPool(threads: 1))
        GEMM.multiply(a, w, into: two, pool: pool)
        #expect(Check.scaledError(two.toArray(), one.toArray().map(Double.init)) <= 1e-6)
    }
}
