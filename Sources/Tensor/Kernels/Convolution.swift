/// A 2-D convolution on channels-last maps `[H, W, Cin] -> [Ho, Wo, Cout]` by im2col + GEMM, a block of output
/// pixels per task so the im2col buffer stays in cache. Covers patch embedding (kernel = stride, no padding)
/// and the 3x3 convolutions with stride 1 or 2 and padding 1.
///
/// The PyTorch weight `[Cout, Cin, kh, kw]` is converted once, at load, to `[kh * kw * Cin, Cout]`.
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
    /// Weights as `[kernel * kernel * inChannels, outChannels]`.
    public let weight: Tensor
    /// Bias `[outChannels]`, or nil.
    public let bias: Tensor?

    /// Builds the layer from PyTorch's `[Cout, Cin, k, k]` weight.
    public init(pytorchWeight: Tensor, bias: Tensor?, stride: Int, padding: Int) {
        precondition(pytorchWeight.rank == 4 && pytorchWeight.shape[2] == pytorchWeight.shape[3],
                     "Conv2d weight must be [Cout, Cin, k, k], got \(pytorchWeight.shape)")
        outChannels = pytorchWeight.shape[0]
        inChannels = pytorchWeight.shape[1]
        kernel = pytorchWeight.shape[2]
        self.stride = stride
        self.padding = padding
        weight = pytorchWeight.permuted([2, 3, 1, 0]).contiguous().reshaped([kernel * kernel * inChannels, outChannels])
        if let bias { precondition(bias.count == outChannels, "Conv2d bias \(bias.shape) for \(outChannels) channels") }
        self.bias = bias
    }

    /// Output height and width for an input of `height` x `width`.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernel) / stride + 1, (width + 2 * padding - kernel) / stride + 1)
    }

    /// out = epilogue(conv(x)); `x` is `[H, W, Cin]`, `out` `[Ho, Wo, Cout]`. Scratch comes from `arena`.
    public func callAsFunction(_ x: Tensor, into out: Tensor, epilogue: Epilogue? = nil, arena: Arena,
                               pool: ThreadPool = .shared) {
        precondition(x.rank == 3 && x.shape[2] == inChannels && x.isContiguous, "Conv2d input \(x.shape), Cin \(inChannels)")
        let (ho, wo) = outputSize(height: x.shape[0], width: x.shape[1])
        precondition(out.shape == Dimensions(ho, wo, outChannels) && out.isContiguous, "Conv2d output \(out.shape), expected \([ho, wo, outChannels])")
        let epilogue = epilogue ?? (bias == nil ? .none : .bias)
        if case .biasResidual(let r) = epilogue { precondition(r.count == out.count && r.isContiguous, "residual \(r.shape)") }
        let pixels = ho * wo, k = kernel * kernel * inChannels
        guard pixels > 0 else { return }
        let block = GEMM.rowsPerCall(k: k)
        let mark = arena.mark()
        defer { arena.release(to: mark) }
        let scratch = arena.tensor(Dimensions(pool.threadCount, block * k)).pointer
        let h = x.shape[0], w = x.shape[1], cin = inChannels, kk = kernel, st = stride, pad = padding
        let px = x.pointer, pw = weight.pointer, po = out.pointer, pb = bias?.pointer
        pool.parallelFor((pixels + block - 1) / block) { task, thread in
            let first = task * block, count = min(block, pixels - first)
            let columns = scratch + thread * block * k
            for i in 0..<count {
                let oy = (first + i) / wo, ox = (first + i) % wo
                var dst = columns + i * k
                for ky in 0..<kk {
                    let iy = oy * st + ky - pad
                    let x0 = ox * st - pad
                    if iy < 0 || iy >= h {
                        dst.update(repeating: 0, count: kk * cin)
                    } else if x0 >= 0 && x0 + kk <= w {
                        dst.update(from: px + (iy * w + x0) * cin, count: kk * cin)
                    } else {
                        for kx in 0..<kk {
                            let ix = x0 + kx
                            if ix < 0 || ix >= w { (dst + kx * cin).update(repeating: 0, count: cin) }
                            else { (dst + kx * cin).update(from: px + (iy * w + ix) * cin, count: cin) }
                        }
                    }
                    dst += kk * cin
                }
            }
            GEMM.multiplyRows(columns, pw, m: count, n: outChannels, k: k, into: po + first * outChannels,
                              bias: pb, epilogue: epilogue, firstRow: first)
        }
    }
}

/// A transposed convolution whose kernel equals its stride (the up-sampling block's kernel 2, stride 2):
/// every input pixel writes its own `stride x stride` patch of the output. `[H, W, Cin] -> [sH, sW, Cout]`.
///
/// The PyTorch weight `[Cin, Cout, k, k]` is converted once to `[Cin, k * k * Cout]`.
public struct ConvTranspose2d: Sendable {
    /// Kernel size, equal to the stride.
    public let stride: Int
    /// Input channels.
    public let inChannels: Int
    /// Output channels.
    public let outChannels: Int
    /// Weights as `[inChannels, stride * stride * outChannels]`, column `(a * stride + b) * Cout + co`.
    public let weight: Tensor
    /// Bias `[outChannels]`, or nil.
    public let bias: Tensor?

    /// Builds the layer from PyTorch's `[Cin, Cout, k, k]` weight; the stride is k.
    public init(pytorchWeight: Tensor, bias: Tensor?) {
        precondition(pytorchWeight.rank == 4 && pytorchWeight.shape[2] == pytorchWeight.shape[3],
                     "ConvTranspose2d weight must be [Cin, Cout, k, k], got \(pytorchWeight.shape)")
        inChannels = pytorchWeight.shape[0]
        outChannels = pytorchWeight.shape[1]
        stride = pytorchWeight.shape[2]
        weight = pytorchWeight.permuted([0, 2, 3, 1]).contiguous()
            .reshaped([inChannels, stride * stride * outChannels])
        if let bias { precondition(bias.count == outChannels, "ConvTranspose2d bias \(bias.shape) for \(outChannels) channels") }
        self.bias = bias
    }

    /// out = activation(convTranspose(x) + bias).
    public func callAsFunction(_ x: Tensor, into out: Tensor, activation: Activation = .identity, arena: Arena,
                               pool: ThreadPool = .shared) {
        precondition(x.rank == 3 && x.shape[2] == inChannels && x.isContiguous, "ConvTranspose2d input \(x.shape)")
        let h = x.shape[0], w = x.shape[1], s = stride, cout = outChannels
        precondition(out.shape == Dimensions(h * s, w * s, cout) && out.isContiguous, "ConvTranspose2d output \(out.shape)")
        let pixels = h * w, n = s * s * cout
        guard pixels > 0 else { return }
        let block = GEMM.rowsPerCall(k: n)
        let mark = arena.mark()
        defer { arena.release(to: mark) }
        let scratch = arena.tensor(Dimensions(pool.threadCount, block * n)).pointer
        let px = x.pointer, pw = weight.pointer, po = out.pointer, pb = bias?.pointer
        pool.parallelFor((pixels + block - 1) / block) { task, thread in
            let first = task * block, count = min(block, pixels - first)
            let patches = scratch + thread * block * n
            GEMM.multiplyRows(px + first * inChannels, pw, m: count, n: n, k: inChannels, into: patches,
                              bias: nil, epilogue: .none, firstRow: first)
            for i in 0..<count {
                let y = (first + i) / w, xx = (first + i) % w
                for a in 0..<s {
                    for b in 0..<s {
                        let src = patches + i * n + (a * s + b) * cout
                        let dst = po + ((y * s + a) * w * s + xx * s + b) * cout
                        if let pb { zipVectors(src, pb, dst, cout, +) } else { dst.update(from: src, count: cout) }
                        activation.apply(dst, dst, cout)
                    }
                }
            }
        }
    }
}
