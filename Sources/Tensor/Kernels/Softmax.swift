import CKernels

/// Softmax along the last dimension.
public enum Softmax {
    /// out[r, :] = softmax(x[r, :] + bias[r % biasRows, :] + mask[r % maskRows, :]). The additive bias (a
    /// relative-position bias) and mask (0 or a large negative value, as Swin's -100) are optional and repeat
    /// over rows. A row holding NaN gives NaN; -inf entries get weight 0.
    public static func rows(_ x: Tensor, bias: Tensor? = nil, mask: Tensor? = nil, into out: Tensor,
                            pool: ThreadPool = .shared) {
        Elementwise.checkSame(x, out)
        let n = x.shape.last ?? 0
        guard n > 0, x.count > 0 else { return }
        let rows = x.count / n
        let biasRows = repeatingRows(bias, n, "bias"), maskRows = repeatingRows(mask, n, "mask")
        let px = x.pointer, po = out.pointer, pb = bias?.pointer, pm = mask?.pointer
        pool.parallelRanges(rows, grain: max(1, Elementwise.grain / n)) { range in
            for row in range {
                var src = UnsafePointer(px + row * n)
                let dst = po + row * n
                if let pb {
                    zipVectors(src, pb + (row % biasRows) * n, dst, n, +)
                    src = UnsafePointer(dst)
                }
                if let pm {
                    zipVectors(src, pm + (row % maskRows) * n, dst, n, +)
                    src = UnsafePointer(dst)
                }
                softmaxRow(src, dst, n)
            }
        }
    }

    /// Rows in an additive term that repeats over the rows of length `n` (0 when absent).
    private static func repeatingRows(_ term: Tensor?, _ n: Int, _ name: String) -> Int {
        guard let term else { return 0 }
        precondition(term.isContiguous && term.count > 0 && term.count % n == 0, "softmax: \(name) \(term.shape) for rows of \(n)")
        return term.count / n
    }

    /// softmax of `n` floats from `source` into `destination` (may alias).
    @inline(__always) @usableFromInline
    static func softmaxRow(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ n: Int) {
        fd_softmax(source, destination, n)
    }
}
