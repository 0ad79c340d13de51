import OceanGrid
import Tensor

/// Convolutional patch embedding (kernel = stride = p) read straight from a channels-first field `[C, H, W]`
/// as the forecast holds it: the zero padding up to the network's grid is implicit (cells past H or W read 0),
/// so the input is never padded, copied or transposed. Output: channels-last patches `[Hp / p, Wp / p, D]`.
struct PatchEmbedding {
    let patch: Int
    let inChannels: Int
    let outChannels: Int
    /// `[Cin * p * p, D]`, rows in PyTorch's flattening order (channel, row, column).
    let weight: PackedMatrix
    let bias: Tensor

    init(_ weights: WeightReader, _ prefix: String, inChannels: Int, outChannels: Int, patch: Int) {
        self.patch = patch
        self.inChannels = inChannels
        self.outChannels = outChannels
        let w = weights.tensor("\(prefix).weight", Dimensions(outChannels, inChannels, patch, patch))
        weight = PackedMatrix(w.reshaped(Dimensions(outChannels, inChannels * patch * patch)).transposed(0, 1).contiguous())
        bias = weights.tensor("\(prefix).bias", Dimensions(outChannels))
    }

    /// out[ty, tx, :] = bias + W · patch(ty, tx) of `x` `[Cin, H, W]`; `out` is `[th, tw, D]` with th * p >= H.
    func callAsFunction(_ x: Tensor, into out: Tensor, arena: Arena, pool: ThreadPool) {
        let h = x.shape[1], w = x.shape[2], th = out.shape[0], tw = out.shape[1]
        let p = patch, cin = inChannels, d = outChannels, k = cin * p * p, tokens = th * tw
        let block = PackedGEMM.stagedRows(width: k)
        let mark = arena.mark()
        defer { arena.release(to: mark) }
        let scratch = arena.tensor(Dimensions(pool.threadCount, block * k)).pointer
        let px = x.pointer, pb = UnsafePointer(bias.pointer), po = out.pointer, weight = weight
        pool.parallelFor((tokens + block - 1) / block) { task, thread in
            let first = task * block, count = min(block, tokens - first)
            let columns = scratch + thread * block * k
            // Runs of tokens within one token row; per run, channel and patch row outermost, so each input row
            // is read sequentially and each token's p floats are copied without index arithmetic.
            var i = 0
            while i < count {
                let ty = (first + i) / tw, tx0 = (first + i) % tw, run = min(count - i, tw - tx0)
                // Tokens whose whole patch lies inside the field, then the ones cut by its right edge.
                let inside = max(0, min(run, (w - tx0 * p) / p))
                for c in 0..<cin {
                    for a in 0..<p {
                        let y = ty * p + a
                        let dst = columns + i * k + (c * p + a) * p
                        guard y < h else {
                            for t in 0..<run { (dst + t * k).update(repeating: 0, count: p) }
                            continue
                        }
                        let src = px + (c * h + y) * w + tx0 * p
                        if p == 4 {
                            for t in 0..<inside {
                                UnsafeMutableRawPointer(dst + t * k).storeBytes(
                                    of: UnsafeRawPointer(src + t * 4).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
                            }
                        } else {
                            for t in 0..<inside { for b in 0..<p { dst[t * k + b] = src[t * p + b] } }
                        }
                        for t in inside..<run {
                            let valid = max(0, min(p, w - (tx0 + t) * p))
                            for b in 0..<p { dst[t * k + b] = b < valid ? src[t * p + b] : 0 }
                        }
                    }
                }
                i += run
            }
            PackedGEMM.multiplyRows(columns, rowStride: k, m: count, weight, into: po + first * d, bias: pb,
                                    epilogue: .bias, firstRow: first)
        }
    }
}
