import Tensor
import Testing

@Suite("Convolutions against PyTorch-semantics references")
struct ConvolutionTests {
    let pool = ThreadPool(threads: 2)

    /// PyTorch conv2d on a channels-last map, weight [Cout, Cin, k, k].
    static func conv(_ x: Tensor, _ w: Tensor, _ b: Tensor, stride: Int, padding: Int) -> (values: [Double], shape: [Int]) {
        let h = x.shape[0], wd = x.shape[1], cin = x.shape[2], cout = w.shape[0], k = w.shape[2]
        let ho = (h + 2 * padding - k) / stride + 1, wo = (wd + 2 * padding - k) / stride + 1
        let xv = x.toArray(), wv = w.toArray(), bv = b.toArray()
        var out = [Double](repeating: 0, count: ho * wo * cout)
        for oy in 0..<ho { for ox in 0..<wo { for co in 0..<cout {
            var s = Double(bv[co])
            for ky in 0..<k { for kx in 0..<k {
                let iy = oy * stride + ky - padding, ix = ox * stride + kx - padding
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                for ci in 0..<cin { s += Double(xv[(iy * wd + ix) * cin + ci]) * Double(wv[((co * cin + ci) * k + ky) * k + kx]) }
            } }
            out[(oy * wo + ox) * cout + co] = s
        } } }
        return (out, [ho, wo, cout])
    }

    @Test("Conv2d: 3x3 stride 1 and 2 with padding, patch embedding; error <= 1e-4",
          arguments: [(9, 11, 5, 7, 3, 1, 1), (10, 13, 6, 4, 3, 2, 1), (16, 12, 29, 24, 4, 4, 0), (1, 1, 3, 2, 3, 1, 1),
                      (24, 16, 3, 8, 8, 8, 0), (5, 6, 300, 50, 3, 1, 1)])
    func conv2d(h: Int, w: Int, cin: Int, cout: Int, k: Int, stride: Int, padding: Int) {
        let x = RandomTensor.uniform([h, w, cin], seed: UInt64(h * w)), weight = RandomTensor.uniform([cout, cin, k, k], seed: 2)
        let bias = RandomTensor.uniform([cout], seed: 3)
        let layer = Conv2d(pytorchWeight: weight, bias: bias, stride: stride, padding: padding)
        let want = Self.conv(x, weight, bias, stride: stride, padding: padding)
        let out = Tensor(zeros: Dimensions(want.shape))
        out.fill(.nan)
        layer(x, into: out, context: ExecutionContext(pool: pool))
        let error = Check.scaledError(out.toArray(), want.values)
        #expect(error <= 1e-4, "conv \(h)x\(w)x\(cin) -> \(cout) k\(k) s\(stride): error \(error)")
    }

    @Test("Conv2d residual epilogue adds the shortcut")
    func residual() {
        let x = RandomTensor.uniform([6, 5, 4], seed: 1), weight = RandomTensor.uniform([4, 4, 3, 3], seed: 2)
        let bias = RandomTensor.uniform([4], seed: 3), shortcut = RandomTensor.uniform([6, 5, 4], seed: 4)
        let out = Tensor(zeros: [6, 5, 4])
        Conv2d(pytorchWeight: weight, bias: bias, stride: 1, padding: 1)(x, into: out, epilogue: .biasResidual(shortcut), context: ExecutionContext(pool: pool))
        let want = zip(Self.conv(x, weight, bias, stride: 1, padding: 1).values, shortcut.toArray()).map { $0 + Double($1) }
        #expect(Check.scaledError(out.toArray(), want) <= 1e-4)
    }

    @Test("ConvTranspose2d kernel 2 stride 2: error <= 1e-4", arguments: [(3, 5, 4, 6), (1, 1, 1, 1), (8, 7, 17, 33)])
    func transposed(h: Int, w: Int, cin: Int, cout: Int) {
        let x = RandomTensor.uniform([h, w, cin], seed: 7), weight = RandomTensor.uniform([cin, cout, 2, 2], seed: 8)
        let bias = RandomTensor.uniform([cout], seed: 9)
        let out = Tensor(zeros: [2 * h, 2 * w, cout])
        ConvTranspose2d(pytorchWeight: weight, bias: bias)(x, into: out, activation: .silu, context: ExecutionContext(pool: pool))
        let xv = x.toArray(), wv = weight.toArray(), bv = bias.toArray()
        var want = [Double](repeating: 0, count: out.count)
        for y in 0..<h { for xx in 0..<w { for a in 0..<2 { for b in 0..<2 { for co in 0..<cout {
            var s = Double(bv[co])
            for ci in 0..<cin { s += Double(xv[(y * w + xx) * cin + ci]) * Double(wv[((ci * cout + co) * 2 + a) * 2 + b]) }
            want[((2 * y + a) * 2 * w + 2 * xx + b) * cout + co] = ElementwiseTests.silu(s)
        } } } } }
        #expect(Check.scaledError(out.toArray(), want) <= 1e-4)
    }
}
