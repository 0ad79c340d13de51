import CKernels

/// Softmax along the last dimension.
public enum Softmax {
    /// out[r, :] = softmax(x[r, :] + bias[r % biasRows, :]), the additive bias (relative-position bias, attention
    /// mask with large negative entries) optional. A row holding NaN gives NaN; -inf entries get weight 0.
    public static func rows(_ x: Tensor, bias: Tensor? = nil, into out: Tensor, pool: ThreadPool = .shared) {
        Elementwise.checkSame(x, out)
        let n = x.shape.last ?? 0
        guard n > 0, x.count > 0 else { return }
        let rows = x.count / n
        var biasRows = 0
        if let bias {
            precondition(bias.isContiguous && bias.count % n == 0 && bias.count > 0, "softmax: bias \(bias.shape) for rows of \(n)")
            biasRows = bias.count / n
        }
        let px = x.pointer, po = out.pointer, pb = bias?.pointer
        pool.parallelRanges(rows, grain: max(1, Elementwise.grain / n)) { range in
            for row in range {
                let src = px + row * n, dst = po + row * n
                if let pb {
                    zipVectors(src, pb + (row % biasRows) * n, dst, n, +)
                    softmaxRow(dst, dst, n)
                } else {
                    softmaxRow(src, dst, n)
                }
            }
        }
    }

    /// softmax of `n` floats from `source` into `destination` (may alias).
    @inline(__always) @usableFromInline
    static func softmaxRow(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ n: Int) {
        fd_softmax(source, destination, n)
    }
}
