import OceanGrid
import Tensor

/// Swin's patch merging between stages: each 2x2 group of tokens `[h, w, C]` is concatenated in the order
/// (0,0), (1,0), (0,1), (1,1) to 4C channels, layer-normalised and reduced by a Linear (no bias) to 2C:
/// `[h / 2, w / 2, 2C]`.
struct PatchMerging {
    let norm: LayerNorm
    let reduction: Linear

    init(_ weights: WeightReader, _ prefix: String, dim c: Int, epsilon: Float) {
        norm = weights.layerNorm("\(prefix).norm", channels: 4 * c, epsilon: epsilon)
        reduction = weights.linear("\(prefix).reduction", 2 * c, 4 * c, bias: false)
    }

    /// `x` `[h * w, C]` -> `out` `[(h / 2) * (w / 2), 2C]`.
    func callAsFunction(_ x: Tensor, height h: Int, width w: Int, into out: Tensor, context: ExecutionContext) {
        let c = x.shape[1], tokens = (h / 2) * (w / 2), arena = context.arena
        let mark = arena.mark()
        defer { arena.release(to: mark) }
        let merged = arena.tensor(Dimensions(tokens, 4 * c))
        let px = x.pointer, pm = merged.pointer
        context.pool.parallelRanges(h / 2, grain: 1) { rows in
            for y in rows {
                for xx in 0..<(w / 2) {
                    let dst = pm + (y * (w / 2) + xx) * 4 * c
                    for (part, (dy, dx)) in [(0, 0), (1, 0), (0, 1), (1, 1)].enumerated() {
                        (dst + part * c).update(from: px + ((2 * y + dy) * w + 2 * xx + dx) * c, count: c)
                    }
                }
            }
        }
        norm(merged, into: merged, context: context)
        reduction(merged, into: out, context: context)
    }
}
