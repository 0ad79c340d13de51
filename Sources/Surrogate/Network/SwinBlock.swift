import OceanGrid
import Tensor

/// One Swin Transformer block on channels-last tokens `[T, C]` of a `height` x `width` grid, updated in place:
/// x += proj(WindowAttention(qkv(LayerNorm(x)))); x += fc2(GELU(fc1(LayerNorm(x)))). Odd blocks of a stage
/// shift their windows by half a window (Swin's mask keeps wrapped-around regions apart).
struct SwinBlock {
    let norm1: (gamma: Tensor, beta: Tensor)
    let qkv: Linear
    let bias: RelativePositionBias
    let proj: Linear
    let norm2: (gamma: Tensor, beta: Tensor)
    let fc1: Linear
    let fc2: Linear
    let heads: Int
    let window: Int
    let shift: Int
    let epsilon: Float

    init(_ weights: WeightReader, _ prefix: String, dim c: Int, hidden: Int, heads: Int, window: Int, shifted: Bool,
         epsilon: Float) {
        func norm(_ name: String) -> (Tensor, Tensor) {
            (weights.tensor("\(prefix).\(name).weight", Dimensions(c)), weights.tensor("\(prefix).\(name).bias", Dimensions(c)))
        }
        func linear(_ name: String, _ out: Int, _ input: Int) -> Linear {
            Linear(pytorchWeight: weights.tensor("\(prefix).\(name).weight", Dimensions(out, input)),
                   bias: weights.tensor("\(prefix).\(name).bias", Dimensions(out)))
        }
        norm1 = norm("norm1")
        qkv = linear("attn.qkv", 3 * c, c)
        let span = 2 * window - 1
        bias = RelativePositionBias(table: weights.tensor("\(prefix).attn.relative_position_bias_table",
                                                          Dimensions(span * span, heads)), window: window)
        proj = linear("attn.proj", c, c)
        norm2 = norm("norm2")
        fc1 = linear("mlp.fc1", hidden, c)
        fc2 = linear("mlp.fc2", c, hidden)
        self.heads = heads
        self.window = window
        shift = shifted ? window / 2 : 0
        self.epsilon = epsilon
    }

    func callAsFunction(_ x: Tensor, height: Int, width: Int, arena: Arena, pool: ThreadPool) {
        let tokens = x.shape[0], c = x.shape[1]
        let mark = arena.mark()
        defer { arena.release(to: mark) }
        let normed = arena.tensor(Dimensions(tokens, c))
        let attentionMark = arena.mark()
        let qkvOut = arena.tensor(Dimensions(tokens, 3 * c))
        Normalization.layerNorm(x, gamma: norm1.gamma, beta: norm1.beta, epsilon: epsilon, into: normed, pool: pool)
        qkv(normed, into: qkvOut, pool: pool)
        let geometry = WindowGeometry(height: height, width: width, window: window, shift: shift)
        WindowAttention.fused(qkv: qkvOut, geometry: geometry, heads: heads, bias: bias, into: normed, arena: arena,
                              pool: pool)
        arena.release(to: attentionMark)
        proj(normed, into: x, epilogue: .biasResidual(x), pool: pool)
        Normalization.layerNorm(x, gamma: norm2.gamma, beta: norm2.beta, epsilon: epsilon, into: normed, pool: pool)
        let hiddenOut = arena.tensor(Dimensions(tokens, fc1.outputFeatures))
        fc1(normed, into: hiddenOut, epilogue: .biasActivation(.gelu), pool: pool)
        fc2(hiddenOut, into: x, epilogue: .biasResidual(x), pool: pool)
    }
}
