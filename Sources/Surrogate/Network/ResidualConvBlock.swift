import OceanGrid
import Tensor

/// The convolutional blocks around the Swin body: an entry layer whose output is also the shortcut (a 3x3
/// stride-2 convolution going down, a kernel-2 stride-2 transposed convolution going up), then
/// 2 x [conv 3x3, GroupNorm, SiLU], plus the shortcut. Channels-last maps `[H, W, D]`.
struct ResidualConvBlock {
    /// How the block changes resolution.
    enum Entry {
        case down(Conv2d)
        case up(ConvTranspose2d)
    }

    let entry: Entry
    let conv1: Conv2d
    let norm1: GroupNorm
    let conv2: Conv2d
    let norm2: GroupNorm

    /// The down block `prefix` (`state_down`, `flux_down`): entry `prefix.conv`, 3x3 stride 2.
    static func down(_ weights: WeightReader, _ prefix: String, channels d: Int, groups: Int, epsilon: Float) -> Self {
        let conv = Conv2d(pytorchWeight: weights.tensor("\(prefix).conv.weight", Dimensions(d, d, 3, 3)),
                          bias: weights.tensor("\(prefix).conv.bias", Dimensions(d)), stride: 2, padding: 1,
                          precision: weights.precision)
        return Self(.down(conv), weights, prefix, channels: d, groups: groups, epsilon: epsilon)
    }

    /// The up block `prefix` (`up`): entry `prefix.conv_transpose`, kernel 2 stride 2.
    static func up(_ weights: WeightReader, _ prefix: String, channels d: Int, groups: Int, epsilon: Float) -> Self {
        let conv = ConvTranspose2d(pytorchWeight: weights.tensor("\(prefix).conv_transpose.weight", Dimensions(d, d, 2, 2)),
                                   bias: weights.tensor("\(prefix).conv_transpose.bias", Dimensions(d)),
                                   precision: weights.precision)
        return Self(.up(conv), weights, prefix, channels: d, groups: groups, epsilon: epsilon)
    }

    private init(_ entry: Entry, _ weights: WeightReader, _ prefix: String, channels d: Int, groups: Int,
                 epsilon: Float) {
        func conv(_ name: String) -> Conv2d {
            Conv2d(pytorchWeight: weights.tensor("\(prefix).\(name).weight", Dimensions(d, d, 3, 3)),
                   bias: weights.tensor("\(prefix).\(name).bias", Dimensions(d)), stride: 1, padding: 1,
                   precision: weights.precision)
        }
        func norm(_ name: String) -> GroupNorm {
            GroupNorm(groups: groups, gamma: weights.tensor("\(prefix).\(name).weight", Dimensions(d)),
                      beta: weights.tensor("\(prefix).\(name).bias", Dimensions(d)), epsilon: epsilon)
        }
        self.entry = entry
        conv1 = conv("conv1")
        norm1 = norm("norm1")
        conv2 = conv("conv2")
        norm2 = norm("norm2")
    }

    /// Runs the block on a batch of maps `x` `[N, H, W, D]`; `out` `[N, Ho, Wo, D]` has the entry layer's output
    /// shape and must not alias `x`. Convolutions see all maps at once; GroupNorm's statistics are per map.
    func callAsFunction(_ x: Tensor, into out: Tensor, context: ExecutionContext) {
        let arena = context.arena, mark = arena.mark()
        defer { arena.release(to: mark) }
        let shortcut = arena.tensor(out.shape), t = arena.tensor(out.shape), images = out.shape[0]
        switch entry {
        case .down(let conv): conv(x, into: shortcut, context: context)
        case .up(let conv):
            // Kernel = stride: maps stacked row-wise never meet in a patch.
            conv(x.reshaped(Dimensions(images * x.shape[1], x.shape[2], x.shape[3])),
                 into: shortcut.reshaped(Dimensions(images * out.shape[1], out.shape[2], out.shape[3])), context: context)
        }
        conv1(shortcut, into: t, context: context)
        for i in 0..<images { norm1(t.subtensor(i), activation: .silu, into: t.subtensor(i), context: context) }
        conv2(t, into: out, context: context)
        for i in 0..<images {
            norm2(out.subtensor(i), activation: .silu, residual: shortcut.subtensor(i), into: out.subtensor(i), context: context)
        }
    }
}
