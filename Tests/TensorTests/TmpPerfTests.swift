import Foundation
import Tensor
import Testing

@Test func tmpConvPerf() {
    let pool = ThreadPool(threads: 1), arena = Arena()
    for (h, w, stride) in [(96, 184, 1), (192, 368, 2), (192, 368, 1)] {
        let conv = Conv2d(pytorchWeight: RandomTensor.uniform([192, 192, 3, 3], seed: 1, range: -0.05...0.05), bias: RandomTensor.uniform([192], seed: 2), stride: stride, padding: 1)
        let x = RandomTensor.uniform([h, w, 192], seed: 3)
        let (ho, wo) = conv.outputSize(height: h, width: w)
        let out = Tensor(zeros: [ho, wo, 192])
        var best = 1e12
        for _ in 0..<3 {
            arena.reset()
            let t0 = DispatchTime.now().uptimeNanoseconds
            conv(x, into: out, arena: arena, pool: pool)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0))
        }
        print("TMP conv", h, w, stride, 2.0 * Double(ho * wo * 9 * 192 * 192) / best, "GF/s", best / 1e6, "ms")
    }
    let p = PackedMatrix(RandomTensor.uniform([1728, 192], seed: 2))
    let a = RandomTensor.uniform([17664, 1728], seed: 1), c = Tensor(zeros: [17664, 192])
    var best = 1e12
    for _ in 0..<3 {
        let t0 = DispatchTime.now().uptimeNanoseconds
        PackedGEMM.multiply(a, p, bias: nil, epilogue: .none, into: c, pool: pool)
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0))
    }
    print("TMP gemm 17664x1728x192", 2.0 * 17664 * 1728 * 192 / best)
}
