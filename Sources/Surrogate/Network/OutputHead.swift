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
        weight = PackedMatrix(w.transposed(0, 1).contiguous(), precision: weights.precision)
        bias = weights.tensor("\(prefix).bias", Dimensions(s * p * p))
    }

    /// `x` `[th, tw, D]` (th * p >= H, tw * p >= W) -> `out` `[S, H, W]`.
    func callAsFunction(_ x: Tensor, into out: Tensor, context: ExecutionContext) {
        let th = x.shape[0], tw = x.shape[1], d = x.shape[2], tokens = th * tw
        let s = outChannels, p = patch, n = s * p * p, h = out.shape[1], w = out.shape[2]
        let tiling = PatchTiling(patch: p, tokensPerRow: tw, width: w)
        let px = x.pointer, pb = UnsafePointer(bias.pointer), po = out.pointer, weight = weight
        PatchTiling.forEachBlock(tokens: tokens, stagingWidth: n, context: context) { first, count, rows in
            PackedGEMM.multiplyRows(px + first * d, rowStride: d, m: count, weight, into: rows, bias: pb,
                                    epilogue: .bias, firstRow: first)
            tiling.forEachRun(first: first, count: count) { t0, ty, tx0, run, inside in
                for c in 0..<s {
                    for i in 0..<p {
                        let y = ty * p + i
                        guard y < h else { break }
                        let dst = po + (c * h + y) * w + tx0 * p, src = rows + t0 * n + (c * p + i) * p
                        tiling.copyPatchRows(inside, from: src, stride: n, to: dst, stride: p)
                        // Tokens cut by the right edge of the field (padding cells are never written).
                        for t in inside..<run {
                            let valid = tiling.columnsInside(tokenColumn: tx0 + t)
                            guard valid > 0 else { break }
                            (dst + t * p).update(from: src + t * n, count: valid)
                        }
                    }
                }
            }
        }
    }
}
