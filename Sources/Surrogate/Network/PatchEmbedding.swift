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
        weight = PackedMatrix(w.reshaped(Dimensions(outChannels, inChannels * patch * patch)).transposed(0, 1).contiguous(),
                              precision: weights.precision)
        bias = weights.tensor("\(prefix).bias", Dimensions(outChannels))
    }

    /// out[ty, tx, :] = bias + W · patch(ty, tx) of `x` `[Cin, H, W]`; `out` is `[th, tw, D]` with th * p >= H.
    func callAsFunction(_ x: Tensor, into out: Tensor, context: ExecutionContext) {
        let h = x.shape[1], w = x.shape[2], th = out.shape[0], tw = out.shape[1]
        let p = patch, cin = inChannels, d = outChannels, k = cin * p * p, tokens = th * tw
        let tiling = PatchTiling(patch: p, tokensPerRow: tw, width: w)
        let px = x.pointer, pb = UnsafePointer(bias.pointer), po = out.pointer, weight = weight
        PatchTiling.forEachBlock(tokens: tokens, stagingWidth: k, context: context) { first, count, columns in
            // Per run, channel and patch row outermost: each input row is read sequentially.
            tiling.forEachRun(first: first, count: count) { i, ty, tx0, run, inside in
                for c in 0..<cin {
                    for a in 0..<p {
                        let y = ty * p + a
                        let dst = columns + i * k + (c * p + a) * p
                        guard y < h else {
                            for t in 0..<run { (dst + t * k).update(repeating: 0, count: p) }
                            continue
                        }
                        let src = px + (c * h + y) * w + tx0 * p
                        tiling.copyPatchRows(inside, from: src, stride: p, to: dst, stride: k)
                        for t in inside..<run {
                            let valid = tiling.columnsInside(tokenColumn: tx0 + t)
                            for b in 0..<p { dst[t * k + b] = b < valid ? src[t * p + b] : 0 }
                        }
                    }
                }
            }
            PackedGEMM.multiplyRows(columns, rowStride: k, m: count, weight, into: po + first * d, bias: pb,
                                    epilogue: .bias, firstRow: first)
        }
    }
}
