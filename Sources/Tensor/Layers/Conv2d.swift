/// A 2-D convolution on channels-last maps `[H, W, Cin] -> [Ho, Wo, Cout]` as an indirect GEMM: for a block
/// of output pixels, one pointer per kernel tap to the input pixel it reads (or to zeros outside the map),
/// and ``PackedGEMM`` multiplies straight from the input, without an im2col copy. Covers the 3x3 convolutions
/// with stride 1 or 2 and padding 1, and patch embedding of channels-last maps (kernel = stride).
///
/// The PyTorch weight `[Cout, Cin, kh, kw]` is converted once, at load, to `[kh * kw * Cin, Cout]` and packed.
public struct Conv2d: Sendable {
    /// Kernel size (square).
    public let kernel: Int
    /// Stride (both directions).
    public let stride: Int
    /// Zero padding on every side.
    public let padding: Int
    /// Input channels.
    public let inChannels: Int
    /// Output channels.
    public let outChannels: Int
    /// Weights as `[kernel * kernel * inChannels, outChannels]`, packed.
    public let weight: PackedMatrix
    /// Bias `[outChannels]`, or nil.
    public let bias: Tensor?
    /// `inChannels` zeros: what a tap outside the input map reads.
    let zeros: Tensor

    /// Builds the layer from PyTorch's `[Cout, Cin, k, k]` weight, for products in `precision`.
    public init(pytorchWeight: Tensor, bias: Tensor?, stride: Int, padding: Int, precision: MatrixPrecision = .fp32) {
        precondition(pytorchWeight.rank == 4 && pytorchWeight.shape[2] == pytorchWeight.shape[3],
                     "Conv2d weight must be [Cout, Cin, k, k], got \(pytorchWeight.shape)")
        outChannels = pytorchWeight.shape[0]
        inChannels = pytorchWeight.shape[1]
        kernel = pytorchWeight.shape[2]
        self.stride = stride
        self.padding = padding
        weight = PackedMatrix(pytorchWeight.permuted([2, 3, 1, 0]).contiguous()
            .reshaped([kernel * kernel * inChannels, outChannels]), precision: precision, segment: inChannels)
        if let bias { precondition(bias.count == outChannels, "Conv2d bias \(bias.shape) for \(outChannels) channels") }
        self.bias = bias
        zeros = Tensor(zeros: [inChannels])
    }

    /// Output height and width for an input of `height` x `width`.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernel) / stride + 1, (width + 2 * padding - kernel) / stride + 1)
    }

    /// out = epilogue(conv(x)); `x` is `[H, W, Cin]`, `out` `[Ho, Wo, Cout]`, or a batch of maps `[N, H, W, Cin]`
    /// -> `[N, Ho, Wo, Cout]` (each map padded on its own; every product sees the pixels of all maps). Scratch
    /// comes from the context's arena.
    public func callAsFunction(_ x: Tensor, into out: Tensor, epilogue: Epilogue? = nil, context: ExecutionContext) {
        let arena = context.arena, pool = context.pool
        let batched = x.rank == 4, images = batched ? x.shape[0] : 1
        precondition((x.rank == 3 || batched) && x.shape[x.rank - 1] == inChannels && x.isContiguous,
                     "Conv2d input \(x.shape), Cin \(inChannels)")
        let h = x.shape[x.rank - 3], w = x.shape[x.rank - 2]
        let (ho, wo) = outputSize(height: h, width: w)
        let expected = batched ? Dimensions(images, ho, wo, outChannels) : Dimensions(ho, wo, outChannels)
        precondition(out.shape == expected && out.isContiguous, "Conv2d output \(out.shape), expected \(expected)")
        let epilogue = epilogue ?? (bias == nil ? .none : .bias)
        let pb = GEMM.checkEpilogue(epilogue, bias: bias, n: outChannels, c: out)
        let perImage = ho * wo, pixels = images * perImage, taps = kernel * kernel
        guard pixels > 0 else { return }
        let block = min(PackedGEMM.rowsPerTask, max(16, (pixels + 2 * pool.threadCount - 1) / (2 * pool.threadCount)))
        let mark = arena.mark()
        defer { arena.release(to: mark) }
        let rows = arena.pointers(pool.threadCount * block * taps)
        let cin = inChannels, kk = kernel, st = stride, pad = padding
        let px = UnsafePointer(x.pointer), zero = UnsafePointer(zeros.pointer), po = out.pointer, weight = weight
        pool.parallelFor((pixels + block - 1) / block) { task, thread in
            let first = task * block, count = min(block, pixels - first)
            let taskRows = rows + thread * block * taps
            for i in 0..<count {
                let image = (first + i) / perImage, pixel = (first + i) % perImage
                let oy = pixel / wo, ox = pixel % wo, map = px + image * h * w * cin
                for ky in 0..<kk {
                    let iy = oy * st + ky - pad
                    for kx in 0..<kk {
                        let ix = ox * st + kx - pad
                        let inside = iy >= 0 && iy < h && ix >= 0 && ix < w
                        taskRows[i * taps + ky * kk + kx] = inside ? map + (iy * w + ix) * cin : zero
                    }
                }
            }
            PackedGEMM.multiplyRows(taskRows, taps: taps, m: count, weight, into: po + first * outChannels,
                                    bias: pb, epilogue: epilogue, firstRow: first)
        }
    }
}
