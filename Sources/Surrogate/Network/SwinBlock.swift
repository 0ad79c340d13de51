import OceanGrid
import Tensor

/// One Swin Transformer block on channels-last tokens `[T, C]` of `images` grids of `height` x `width` (an
/// ensemble's members one after another: every product sees all their tokens), updated in place:
/// x += proj(WindowAttention(qkv(LayerNorm(x)))); x += fc2(GELU(fc1(LayerNorm(x)))). Odd blocks of a stage
/// shift their windows by half a window (Swin's mask keeps wrapped-around regions apart).
struct SwinBlock {
    let norm1: LayerNorm
    let qkv: Linear
    let bias: RelativePositionBias
    let proj: Linear
    let norm2: LayerNorm
    let fc1: Linear
    let fc2: Linear
    let heads: Int
    let window: Int
    let shift: Int

    init(_ weights: WeightReader, _ prefix: String, dim c: Int, hidden: Int, heads: Int, window: Int, shifted: Bool,
         epsilon: Float) {
        norm1 = weights.layerNorm("\(prefix).norm1", channels: c, epsilon: epsilon)
        qkv = weights.linear("\(prefix).attn.qkv", 3 * c, c)
        let span = 2 * window - 1
        bias = RelativePositionBias(table: weights.tensor("\(prefix).attn.relative_position_bias_table",
                                                          Dimensions(span * span, heads)), window: window)
        proj = weights.linear("\(prefix).attn.proj", c, c)
        norm2 = weights.layerNorm("\(prefix).norm2", channels: c, epsilon: epsilon)
        fc1 = weights.linear("\(prefix).mlp.fc1", hidden, c)
        fc2 = weights.linear("\(prefix).mlp.fc2", c, hidden)
        self.heads = heads
        self.window = window
        shift = shifted ? window / 2 : 0
    }

    func callAsFunction(_ x: Tensor, height: Int, width: Int, images: Int, context: ExecutionContext) {
        let tokens = x.shape[0], c = x.shape[1], arena = context.arena
        let mark = arena.mark()
        defer { arena.release(to: mark) }
        let normed = arena.tensor(Dimensions(tokens, c))
        let attentionMark = arena.mark()
        let qkvOut = arena.tensor(Dimensions(tokens, 3 * c))
        norm1(x, into: normed, context: context)
        qkv(normed, into: qkvOut, context: context)
        let geometry = WindowGeometry(height: height, width: width, window: window, shift: shift, images: images)
        WindowAttention.fused(qkv: qkvOut, geometry: geometry, heads: heads, bias: bias, into: normed, arena: arena,
                              pool: context.pool)
        arena.release(to: attentionMark)
        proj(normed, into: x, epilogue: .biasResidual(x), context: context)
        norm2(x, into: normed, context: context)
        let hiddenOut = arena.tensor(Dimensions(tokens, fc1.outputFeatures))
        fc1(normed, into: hiddenOut, epilogue: .biasActivation(.gelu), context: context)
        fc2(hiddenOut, into: x, epilogue: .biasResidual(x), context: context)
    }
}
