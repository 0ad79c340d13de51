import Foundation
import Tensor
import Testing

@Suite("LayerNorm, GroupNorm and softmax against Float64 references")
struct NormalizationTests {
    let pool = ThreadPool(threads: 2)

    static func layerNorm(_ x: [Float], rows: Int, c: Int, gamma: [Float], beta: [Float]) -> [Double] {
        var out = [Double](repeating: 0, count: x.count)
        for r in 0..<rows {
            let row = x[(r * c)..<((r + 1) * c)].map(Double.init)
            let mean = row.reduce(0, +) / Double(c)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(c)
            for i in 0..<c { out[r * c + i] = (row[i] - mean) / (variance + 1e-5).squareRoot() * Double(gamma[i]) + Double(beta[i]) }
        }
        return out
    }

    @Test("LayerNorm layer: relative error <= 1e-5 for odd widths, one row and zero rows",
          arguments: [(1, 1), (1, 7), (13, 16), (5, 17), (64, 96), (3, 100), (0, 32)])
    func layerNorm(rows: Int, c: Int) {
        let x = RandomTensor.uniform([rows, c], seed: UInt64(rows * 1000 + c), range: -3...5)
        let gamma = RandomTensor.uniform([c], seed: 1, range: 0.5...1.5), beta = RandomTensor.uniform([c], seed: 2)
        let out = Tensor(zeros: [rows, c])
        LayerNorm(gamma: gamma, beta: beta)(x, into: out, context: ExecutionContext(pool: pool))
        let want = Self.layerNorm(x.toArray(), rows: rows, c: c, gamma: gamma.toArray(), beta: beta.toArray())
        let error = Check.scaledError(out.toArray(), want)
        #expect(error <= 1e-5, "rows \(rows) C \(c): error \(error)")
    }

    @Test("LayerNorm: a NaN poisons its own row only")
    func layerNormNaN() {
        let x = RandomTensor.uniform([3, 20], seed: 3)
        x[1, 7] = .nan
        let out = Tensor(zeros: [3, 20])
        Normalization.layerNorm(x, gamma: Tensor(shape: [20], values: .init(repeating: 1, count: 20)),
                                beta: Tensor(zeros: [20]), into: out, pool: pool)
        for j in 0..<20 {
            #expect(out[1, j].isNaN)
            #expect(out[0, j].isFinite && out[2, j].isFinite)
        }
    }

    @Test("GroupNorm layer + activation (+ shortcut): relative error <= 1e-5",
          arguments: [(1, 4, 1, Activation.identity, false), (37, 12, 3, .silu, true), (256, 64, 32, .silu, false),
                      (5, 96, 32, .gelu, true)])
    func groupNorm(pixels: Int, c: Int, groups: Int, activation: Activation, shortcut: Bool) {
        let x = RandomTensor.uniform([pixels, c], seed: UInt64(pixels + c), range: -2...4)
        let gamma = RandomTensor.uniform([c], seed: 4, range: 0.5...1.5), beta = RandomTensor.uniform([c], seed: 5)
        let residual = RandomTensor.uniform([pixels, c], seed: 6)
        let out = Tensor(zeros: [pixels, c])
        GroupNorm(groups: groups, gamma: gamma, beta: beta)(x, activation: activation, residual: shortcut ? residual : nil,
                                                            into: out, context: ExecutionContext(pool: pool))
        let xv = x.toArray().map(Double.init), rv = residual.toArray(), per = c / groups
        var want = [Double](repeating: 0, count: xv.count)
        for g in 0..<groups {
            var values: [Double] = []
            for p in 0..<pixels { for k in 0..<per { values.append(xv[p * c + g * per + k]) } }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            for p in 0..<pixels {
                for k in 0..<per {
                    let i = p * c + g * per + k, ch = g * per + k
                    let y = (xv[i] - mean) / (variance + 1e-5).squareRoot() * Double(gamma.toArray()[ch]) + Double(beta.toArray()[ch])
                    want[i] = activation == .silu ? ElementwiseTests.silu(y) : activation == .gelu ? ElementwiseTests.gelu(y) : y
                    if shortcut { want[i] += Double(rv[i]) }
                }
            }
        }
        let error = Check.scaledError(out.toArray(), want)
        #expect(error <= 1e-5, "GroupNorm \(pixels)x\(c)/\(groups) \(activation): error \(error)")
    }

    @Test("Softmax with additive bias and mask: relative error <= 1e-5; -inf gets weight 0; NaN gives a NaN row",
          arguments: [(1, 1), (7, 15), (4, 16), (3, 49), (9, 64), (2, 100), (0, 8)])
    func softmax(rows: Int, n: Int) {
        let x = RandomTensor.uniform([rows, n], seed: UInt64(rows * 31 + n), range: -10...10)
        let bias = RandomTensor.uniform([max(rows, 1) % 3 + 1, n], seed: 9, range: -2...2)
        let mask = Tensor(shape: [2, n], values: (0..<(2 * n)).map { $0 % 5 == 1 ? -100 : 0 })
        if rows > 1 && n > 1 { x[1, 0] = -.infinity }
        let out = Tensor(zeros: [rows, n])
        Softmax.rows(x, bias: bias, mask: mask, into: out, pool: pool)
        let xv = x.toArray(), bv = bias.toArray(), biasRows = bias.shape[0], mv = mask.toArray()
        var want = [Double](repeating: 0, count: rows * n)
        for r in 0..<rows {
            let row = (0..<n).map { Double(xv[r * n + $0]) + Double(bv[(r % biasRows) * n + $0]) + Double(mv[(r % 2) * n + $0]) }
            let m = row.max()!
            let e = row.map { exp($0 - m) }
            let s = e.reduce(0, +)
            for j in 0..<n { want[r * n + j] = e[j] / s }
        }
        let error = Check.scaledError(out.toArray(), want, fraction: 1e-6)
        #expect(error <= 1e-5, "softmax \(rows)x\(n): error \(error)")
        if rows > 1 && n > 1 { #expect(out[1, 0] == 0) }

        let poisoned = Tensor(shape: [2, 5], values: [1, .nan, 3, 4, 5, 1, 2, 3, 4, 5])
        Softmax.rows(poisoned, into: poisoned, pool: pool)
        #expect((0..<5).allSatisfy { poisoned[0, $0].isNaN })
        #expect((0..<5).allSatisfy { poisoned[1, $0].isFinite })
    }
}
