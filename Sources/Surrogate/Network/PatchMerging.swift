import OceanGrid
import Tensor

/// Swin's patch merging between stages: each 2x2 group of tokens `[h, w, C]` is concatenated in the order
/// (0,0), (1,0), (0,1), (1,1) to 4C channels, layer-normalised and reduced by a Linear (no bias) to 2C:
/// `[h / 2, w / 2, 2C]`.
struct PatchMerging {
    let norm: (gamma: Tensor, beta: Tensor)
    let reduction: Linear
    let epsilon: Float

    init(_ weights: WeightReader, _ prefix: String, dim c: Int, epsilon: Float) {
        norm = (weights.tensor("\(prefix).norm.weight", Dimensions(4 * c)), weights.tensor("\(prefix).norm.bias", Dimensions(4 * c)))
        reduction = Linear(pytorchWeight: weights.tensor("\(prefix).reduction.weight", Dimensions(2 * c, 4 * c)), bias: nil)
        self.epsilon = epsilon
    }

    /// `x` `[h * w, C]` -> `out` `[(h / 2) * (w / 2), 2C]`.
    func callAsFunction(_ x: Tensor, height h: Int, width w: Int, into out: Tensor, arena: Arena, pool: ThreadPool) {
        let c = x.shape[1], tokens = (h / 2) * (w / 2)
        let mark = arena.mark()
        defer { arena.release(to: mark) }
        let merged = arena.tensor(Dimensions(tokens, 4 * c))
        let px = x.pointer, pm = merged.pointer
        pool.parallelRanges(h / 2, grain: 1) { rows in
            for y in rows {
                for xx in 0..<(w / 2) {
                    let dst = pm + (y * (w / 2) + xx) * 4 * c
                    for (part, (dy, dx)) in [(0, 0), (1, 0), (0, 1), (1, 1)].enumerated() {
                        (dst + part * c).update(from: px + ((2 * y + dy) * w + 2 * xx + dx) * c, count: c)
                    }
                }
            }
        }
        Normalization.layerNorm(merged, gamma: norm.gamma, beta: norm.beta, epsilon: epsilon, into: merged, pool: pool)
        reduction(merged, into: out, pool: pool)
    }
}
