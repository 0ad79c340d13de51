import OceanGrid
import Tensor

/// The output layer: a Linear from D to S * p * p channels followed by PyTorch's pixel shuffle, written
/// straight into the channels-first change field `[S, H, W]` and cropped to it (padding cells are never
/// written). Fused per block of tokens, so the `[tokens, S p^2]` product is never held whole.
struct OutputHead {
    let patch: Int
    let outChannels: Int
    /// `[D, S * p * p]`, column `s * p * p + i * p + j` feeding out[s, ty * p + i, tx * p + j].
    let weight: PackedMatrix
    let bias: Tensor

    init(_ weights: WeightReader, _ prefix: String, dim d: Int, outChannels s: Int, patch p: Int) {
        patch = p
        outChannels = s
        let w = weights.tensor("\(prefix).weight", Dimensions(s * p * p, d))
        weight = PackedMatrix(w.transposed(0, 1).contiguous())
        bias = weights.tensor("\(prefix).bias", Dimensions(s * p * p))
    }

    /// `x` `[th, tw, D]` (th * p >= H, tw * p >= W) -> `out` `[S, H, W]`.
    func callAsFunction(_ x: Tensor, into out: Tensor, arena: Arena, pool: ThreadPool) {
        let th = x.shape[0], tw = x.shape[1], d = x.shape[2], tokens = th * tw
        let s = outChannels, p = patch, n = s * p * p, h = out.shape[1], w = out.shape[2]
        let block = PackedGEMM.stagedRows(width: n)
        let mark = arena.mark()
        defer { arena.release(to: mark) }
        let scratch = arena.tensor(Dimensions(pool.threadCount, block * n)).pointer
        let px = x.pointer, pb = UnsafePointer(bias.pointer), po = out.pointer, weight = weight
        pool.parallelFor((tokens + block - 1) / block) { task, thread in
            let first = task * block, count = min(block, tokens - first)
            let rows = scratch + thread * block * n
            PackedGEMM.multiplyRows(px + first * d, rowStride: d, m: count, weight, into: rows, bias: pb,
                                    epilogue: .bias, firstRow: first)
            // Runs of tokens within one token row: their patches make one contiguous stretch of each output row.
            var t0 = 0
            while t0 < count {
                let ty = (first + t0) / tw, tx0 = (first + t0) % tw, run = min(count - t0, tw - tx0)
                let inside = max(0, min(run, (w - tx0 * p) / p)), edge = min(run, max(0, (w - tx0 * p + p - 1) / p))
                for c in 0..<s {
                    for i in 0..<p {
                        let y = ty * p + i
                        guard y < h else { break }
                        let dst = po + (c * h + y) * w + tx0 * p, src = rows + t0 * n + (c * p + i) * p
                        if p == 4 {
                            for t in 0..<inside {
                                UnsafeMutableRawPointer(dst + t * 4).storeBytes(
                                    of: UnsafeRawPointer(src + t * n).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
                            }
                        } else {
                            for t in 0..<inside { for j in 0..<p { dst[t * p + j] = src[t * n + j] } }
                        }
                        // The token cut by the right edge of the field (padding cells are never written).
                        for t in inside..<edge { for j in 0..<(w - (tx0 + t) * p) { dst[t * p + j] = src[t * n + j] } }
                    }
                }
                t0 += run
            }
        }
    }
}
