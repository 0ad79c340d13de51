import CBLAS

/// The same attention as ``WindowAttention/fused(qkv:geometry:heads:bias:into:arena:pool:)`` computed the way
/// an exported graph runs it (PyTorch Swin's operator sequence, as ONNX Runtime executes it): roll, window
/// partition, head split, scale, batched QK^T, add bias, add mask, softmax, batched AV, head merge, window
/// reverse, roll back, each a full pass over memory. It is the reference the fused kernel is measured and
/// checked against.
public struct UnfusedWindowAttention {
    /// Bias as PyTorch adds it, `[heads, N, N]`.
    public let bias: Tensor
    /// Shift mask `[windows, N, N]` (0 or -100), nil for unshifted windows.
    public let mask: Tensor?
    /// Geometry.
    public let geometry: WindowGeometry
    /// Heads.
    public let heads: Int

    /// Precomputes the dense bias and mask, as a PyTorch module does at construction.
    public init(geometry g: WindowGeometry, heads: Int, bias: RelativePositionBias) {
        let n = g.tokensPerWindow, np = RelativePositionBias.paddedTokens(g.window)
        geometry = g
        self.heads = heads
        self.bias = Tensor(storage: bias.expanded.storage, shape: [heads, n, n], strides: [n * np, np, 1], offset: 0)
            .contiguous()
        if g.shift > 0 {
            let m = Tensor(zeros: [g.windowCount, n, n])
            for w in 0..<g.windowCount {
                for a in 0..<n {
                    for b in 0..<n where g.region(window: w, cell: a) != g.region(window: w, cell: b) {
                        m[w, a, b] = WindowGeometry.maskValue
                    }
                }
            }
            mask = m
        } else {
            mask = nil
        }
    }

    /// out `[tokens, C]` = attention of `qkv` `[tokens, 3C]`, temporaries from `arena`.
    public func callAsFunction(qkv: Tensor, into out: Tensor, arena: Arena, pool: ThreadPool = .shared) {
        let g = geometry, tokens = g.height * g.width, c3 = qkv.shape[1], c = c3 / 3, hd = c / heads
        let n = g.tokensPerWindow, windows = g.windowCount
        precondition(g.images == 1, "the unfused reference attends over one image")
        precondition(qkv.shape == Dimensions(tokens, c3) && out.shape == Dimensions(tokens, c), "attention shapes \(qkv.shape) -> \(out.shape)")
        _ = GEMM.singleThreadedBLAS
        let mark = arena.mark()
        defer { arena.release(to: mark) }
        let rolled = arena.tensor(Dimensions(tokens, c3)).pointer
        let partitioned = arena.tensor(Dimensions(windows, n, c3)).pointer
        let split = arena.tensor(Dimensions(3, windows, heads, n, hd)).pointer
        let scores = arena.tensor(Dimensions(windows, heads, n, n)).pointer
        let heads_ = arena.tensor(Dimensions(windows, heads, n, hd)).pointer
        let merged = arena.tensor(Dimensions(windows, n, c)).pointer
        let unrolled = arena.tensor(Dimensions(tokens, c)).pointer
        let src = qkv.pointer, dst = out.pointer, pbias = bias.pointer, pmask = mask?.pointer
        let h = g.height, w = g.width, ws = g.window, s = g.shift, heads = heads
        let scale = 1 / Float(hd).squareRoot()

        // roll by -shift
        pool.parallelFor(h) { y, _ in
            for x in 0..<w { (rolled + (y * w + x) * c3).update(from: src + (((y + s) % h) * w + (x + s) % w) * c3, count: c3) }
        }
        // window partition
        pool.parallelFor(windows) { win, _ in
            for p in 0..<n {
                let y = (win / g.windowsAcross) * ws + p / ws, x = (win % g.windowsAcross) * ws + p % ws
                (partitioned + (win * n + p) * c3).update(from: rolled + (y * w + x) * c3, count: c3)
            }
        }
        // reshape + permute to [3, windows, heads, n, hd]
        pool.parallelFor(windows) { win, _ in
            for p in 0..<n {
                for part in 0..<3 {
                    for head in 0..<heads {
                        (split + (((part * windows + win) * heads + head) * n + p) * hd)
                            .update(from: partitioned + (win * n + p) * c3 + part * c + head * hd, count: hd)
                    }
                }
            }
        }
        let qs = split, ks = split + windows * heads * n * hd, vs = split + 2 * windows * heads * n * hd
        // q * scale
        pool.parallelFor(windows) { win, _ in mapVectors(qs + win * heads * n * hd, qs + win * heads * n * hd, heads * n * hd) { $0 * scale } }
        // q k^T
        pool.parallelFor(windows * heads) { wh, _ in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(hd), 1,
                        qs + wh * n * hd, Int32(hd), ks + wh * n * hd, Int32(hd), 0, scores + wh * n * n, Int32(n))
        }
        // + bias
        pool.parallelFor(windows * heads) { wh, _ in
            zipVectors(scores + wh * n * n, pbias + (wh % heads) * n * n, scores + wh * n * n, n * n, +)
        }
        // + mask
        if let pmask {
            pool.parallelFor(windows * heads) { wh, _ in
                zipVectors(scores + wh * n * n, pmask + (wh / heads) * n * n, scores + wh * n * n, n * n, +)
            }
        }
        // softmax
        pool.parallelFor(windows * heads) { wh, _ in
            for row in 0..<n { Softmax.softmaxRow(scores + (wh * n + row) * n, scores + (wh * n + row) * n, n) }
        }
        // attn v
        pool.parallelFor(windows * heads) { wh, _ in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(hd), Int32(n), 1,
                        scores + wh * n * n, Int32(n), vs + wh * n * hd, Int32(hd), 0, heads_ + wh * n * hd, Int32(hd))
        }
        // transpose heads back to [windows, n, C]
        pool.parallelFor(windows) { win, _ in
            for head in 0..<heads {
                for p in 0..<n {
                    (merged + (win * n + p) * c + head * hd).update(from: heads_ + ((win * heads + head) * n + p) * hd, count: hd)
                }
            }
        }
        // window reverse
        pool.parallelFor(windows) { win, _ in
            for p in 0..<n {
                let y = (win / g.windowsAcross) * ws + p / ws, x = (win % g.windowsAcross) * ws + p % ws
                (unrolled + (y * w + x) * c).update(from: merged + (win * n + p) * c, count: c)
            }
        }
        // roll back by +shift
        pool.parallelFor(h) { y, _ in
            for x in 0..<w { (dst + (((y + s) % h) * w + (x + s) % w) * c).update(from: unrolled + (y * w + x) * c, count: c) }
        }
    }
}
