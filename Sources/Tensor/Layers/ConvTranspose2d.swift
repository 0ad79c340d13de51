/// A transposed convolution whose kernel equals its stride (the up-sampling block's kernel 2, stride 2):
/// every input pixel writes its own `stride x stride` patch of the output. `[H, W, Cin] -> [sH, sW, Cout]`.
/// For kernel row `a`, the patches of one input row form one contiguous output row, so each (input row, a)
/// is a single ``PackedGEMM`` writing straight into the output.
///
/// The PyTorch weight `[Cin, Cout, k, k]` is converted once to k matrices `[Cin, k * Cout]` and packed.
public struct ConvTranspose2d: Sendable {
    /// Kernel size, equal to the stride.
    public let stride: Int
    /// Input channels.
    public let inChannels: Int
    /// Output channels.
    public let outChannels: Int
    /// For each kernel row a: `[inChannels, stride * outChannels]`, column `b * Cout + co`, packed.
    public let weights: [PackedMatrix]
    /// Bias `[outChannels]` repeated `stride` times, or nil.
    let tiledBias: Tensor?

    /// Builds the layer from PyTorch's `[Cin, Cout, k, k]` weight, for products in `precision`; the stride is k.
    public init(pytorchWeight: Tensor, bias: Tensor?, precision: MatrixPrecision = .fp32) {
        precondition(pytorchWeight.rank == 4 && pytorchWeight.shape[2] == pytorchWeight.shape[3],
                     "ConvTranspose2d weight must be [Cin, Cout, k, k], got \(pytorchWeight.shape)")
        inChannels = pytorchWeight.shape[0]
        outChannels = pytorchWeight.shape[1]
        stride = pytorchWeight.shape[2]
        let (cin, cout, s) = (inChannels, outChannels, stride)
        weights = (0..<s).map { a in
            PackedMatrix(pytorchWeight.slice(2, a..<(a + 1)).permuted([0, 2, 3, 1]).contiguous().reshaped([cin, s * cout]),
                         precision: precision)
        }
        if let bias {
            precondition(bias.count == cout, "ConvTranspose2d bias \(bias.shape) for \(cout) channels")
            tiledBias = Tensor(shape: [s * cout], values: Array(repeatElement(bias.toArray(), count: s).joined()))
        } else {
            tiledBias = nil
        }
    }

    /// out = activation(convTranspose(x) + bias).
    public func callAsFunction(_ x: Tensor, into out: Tensor, activation: Activation = .identity, context: ExecutionContext) {
        let pool = context.pool
        precondition(x.rank == 3 && x.shape[2] == inChannels && x.isContiguous, "ConvTranspose2d input \(x.shape)")
        let h = x.shape[0], w = x.shape[1], s = stride, cout = outChannels
        precondition(out.shape == Dimensions(h * s, w * s, cout) && out.isContiguous, "ConvTranspose2d output \(out.shape)")
        guard h * w > 0 else { return }
        let epilogue: Epilogue = tiledBias == nil ? .none : (activation == .identity ? .bias : .biasActivation(activation))
        let pb = tiledBias.map { UnsafePointer($0.pointer) }
        let px = UnsafePointer(x.pointer), po = out.pointer, cin = inChannels, weights = weights
        pool.parallelFor(h * s) { task, _ in
            let y = task / s, a = task % s
            PackedGEMM.multiplyRows(px + y * w * cin, rowStride: cin, m: w, weights[a],
                                    into: po + (y * s + a) * w * s * cout, bias: pb, epilogue: epilogue, firstRow: 0)
        }
    }
}
