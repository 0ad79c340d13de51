import Foundation
import Tensor
import Testing

/// The bf16 products (VDPBF16PS) against Float64 references: one from the same bf16-rounded operands, which the
/// kernel must match to fp32 accumulation error, and one from the unrounded operands, which it must match
/// within bf16's rounding bound. The rounding is emulated here independently of the kernels' own.
@Suite("bf16 matrix products against Float64 references")
struct BF16GEMMTests {
    let pool = ThreadPool(threads: 2)

    /// bf16 rounding to nearest even, as VCVTNE2PS2BF16 does (subnormals to signed zero, NaN kept), back in fp32.
    static func bf16(_ x: Float) -> Float {
        if x.isNaN { return x }
        let bits = x.bitPattern
        if bits & 0x7f80_0000 == 0 { return Float(bitPattern: bits & 0x8000_0000) }
        return Float(bitPattern: (bits &+ 0x7fff &+ ((bits >> 16) & 1)) & 0xffff_0000)
    }

    /// Unit roundoff of fp32 and of bf16.
    static let fp32Unit = 0x1p-24, bf16Unit = 0x1p-8

    /// Skips, saying why, where the instruction path has no bf16 dot products.
    static var available: Bool {
        let path = ProcessorCapabilities.taken
        if path < .avx512bf16 { print("skipped: the bf16 kernels need AVX512-BF16; this instruction path is \(path)") }
        return path >= .avx512bf16
    }

    /// For each element of C = A W: the Float64 product of `a` and `w` as given, and sum |a| |w| (the scale of
    /// every error bound).
    static func reference(_ a: [Float], _ w: [Float], m: Int, k: Int, n: Int) -> (c: [Double], magnitude: [Double]) {
        var c = [Double](repeating: 0, count: m * n), magnitude = c
        for i in 0..<m {
            for p in 0..<k {
                let x = Double(a[i * k + p])
                for j in 0..<n {
                    let y = Double(w[p * n + j])
                    c[i * n + j] += x * y
                    magnitude[i * n + j] += abs(x * y)
                }
            }
        }
        return (c, magnitude)
    }

    /// The largest |got - want| / bound over all elements (<= 1 passes).
    static func worst(_ got: [Float], _ want: [Double], bound: [Double]) -> Double {
        zip(zip(got, want), bound).map { abs(Double($0.0) - $0.1) / $1 }.max() ?? 0
    }

    @Test("PackedGEMM in bf16: rounded-operand reference to fp32 accumulation error, exact reference within bf16's bound",
          arguments: [(1, 2, 1), (7, 5, 3), (17, 33, 65), (129, 96, 288), (40, 384, 96), (8, 600, 49), (300, 31, 130)])
    func strided(m: Int, k: Int, n: Int) {
        guard Self.available else { return }
        let a = RandomTensor.uniform([m, k], seed: UInt64(m * 31 + k)), w = RandomTensor.uniform([k, n], seed: UInt64(n + 5))
        let av = a.toArray(), wv = w.toArray()
        let rounded = Self.reference(av.map(Self.bf16), wv.map(Self.bf16), m: m, k: k, n: n)
        let exact = Self.reference(av, wv, m: m, k: k, n: n)
        let c = Tensor(zeros: [m, n])
        c.fill(.nan)
        PackedGEMM.multiply(a, PackedMatrix(w, precision: .bf16), bias: nil, epilogue: .none, into: c, pool: pool)
        let accumulation = rounded.magnitude.map { 2 * Double(k + 2) * Self.fp32Unit * $0 + 1e-30 }
        let roundingBound = exact.magnitude.map { (2 * Self.bf16Unit + 2 * Double(k + 2) * Self.fp32Unit) * $0 + 1e-30 }
        let r = Self.worst(c.toArray(), rounded.c, bound: accumulation), e = Self.worst(c.toArray(), exact.c, bound: roundingBound)
        #expect(r <= 1, "\(m)x\(k)x\(n): \(r) of the fp32 accumulation bound against the rounded-operand reference")
        #expect(e <= 1, "\(m)x\(k)x\(n): \(e) of the bf16 bound against the exact reference")
        // The bf16 result is not the fp32 one: the operands really were rounded.
        let fp32 = Tensor(zeros: [m, n])
        PackedGEMM.multiply(a, PackedMatrix(w), bias: nil, epilogue: .none, into: fp32, pool: pool)
        #expect(fp32.toArray() != c.toArray(), "\(m)x\(k)x\(n): bf16 gave the fp32 result bit for bit")
    }

    @Test("A 3x3 convolution in bf16 with odd channels (segments padded per tap), bias and in-place residual")
    func convolution() {
        guard Self.available else { return }
        for (cin, cout, stride) in [(5, 7, 1), (96, 96, 2), (3, 50, 1)] {
            let h = 9, wd = 11
            let weight = RandomTensor.uniform([cout, cin, 3, 3], seed: UInt64(cin)), bias = RandomTensor.uniform([cout], seed: 4)
            let x = RandomTensor.uniform([h, wd, cin], seed: UInt64(cout))
            let bf16 = Conv2d(pytorchWeight: weight, bias: bias, stride: stride, padding: 1, precision: .bf16)
            let rounded = Conv2d(pytorchWeight: Tensor(shape: weight.shape, values: weight.toArray().map(Self.bf16)), bias: bias,
                                 stride: stride, padding: 1)
            let (ho, wo) = bf16.outputSize(height: h, width: wd)
            let context = ExecutionContext(pool: pool)
            let got = Tensor(zeros: [ho, wo, cout]), want = Tensor(zeros: [ho, wo, cout])
            let residual = RandomTensor.uniform([ho, wo, cout], seed: 99)
            residual.copy(to: got)
            residual.copy(to: want)
            bf16(x, into: got, epilogue: .biasResidual(got), context: context)
            // The same rounded operands through the fp32 kernel: agreement to fp32 accumulation error.
            rounded(Tensor(shape: x.shape, values: x.toArray().map(Self.bf16)), into: want, epilogue: .biasResidual(want), context: context)
            // Operands within [-1, 1]: sum |a w| <= 9 cin, plus the bias and residual.
            let k = Double(9 * cin), bound = 2 * (k + 4) * Self.fp32Unit * (k + 2)
            let error = zip(got.toArray(), want.toArray()).map { Double(abs($0 - $1)) }.max() ?? 0
            #expect(error <= bound, "cin \(cin) cout \(cout) stride \(stride): error \(error), bound \(bound)")
        }
    }
}
