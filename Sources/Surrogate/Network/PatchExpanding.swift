import OceanGrid
import Tensor

/// Swin-Unet's patch expanding in the decoder: a Linear (no bias) from C to 2C channels, rearranged
/// `(h, w, (2, 2, C / 2)) -> (2h, 2w, C / 2)` (ONNX DepthToSpace "DCR" order), layer-normalised over C / 2,
/// and added to the encoder's skip connection at that resolution.
struct PatchExpanding {
    let expand: Linear
    let norm: LayerNorm

    init(_ weights: WeightReader, _ prefix: String, dim c: Int, epsilon: Float) {
        expand = weights.linear("\(prefix).expand", 2 * c, c, bias: false)
        norm = weights.layerNorm("\(prefix).norm", channels: c / 2, epsilon: epsilon)
    }

    /// skip += expand(x): `x` `[h * w, C]`, `skip` `[2h * 2w, C / 2]`.
    func callAsFunction(_ x: Tensor, height h: Int, width w: Int, addingTo skip: Tensor, context: ExecutionContext) {
        let c = x.shape[1], half = c / 2, arena = context.arena
        let mark = arena.mark()
        defer { arena.release(to: mark) }
        let expanded = arena.tensor(Dimensions(h * w, 2 * c))
        expand(x, into: expanded, context: context)
        // LayerNorm is per output token, and each output token is a contiguous run of C / 2 values here.
        let tokens = expanded.reshaped(Dimensions(h * w * 4, half))
        norm(tokens, into: tokens, context: context)
        let pe = expanded.pointer, ps = skip.pointer
        context.pool.parallelRanges(h, grain: 1) { rows in
            for y in rows {
                for xx in 0..<w {
                    for i in 0..<2 {
                        for j in 0..<2 {
                            let dst = ps + ((2 * y + i) * 2 * w + 2 * xx + j) * half
                            Elementwise.add(dst, pe + ((y * w + xx) * 4 + i * 2 + j) * half, into: dst, count: half)
                        }
                    }
                }
            }
        }
    }
}
