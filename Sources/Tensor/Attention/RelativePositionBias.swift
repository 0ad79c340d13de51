/// Swin's learned relative-position bias, expanded once at load from the table `[(2w - 1)^2, heads]` into
/// `[heads, N, Np]` (N = w^2 tokens per window, Np = N rounded up to 16) so attention adds one contiguous row.
/// Columns N..<Np hold -inf: padding keys get zero weight.
public struct RelativePositionBias: Sendable {
    /// Heads.
    public let heads: Int
    /// Window side.
    public let window: Int
    /// Expanded bias `[heads, N, Np]`.
    public let expanded: Tensor

    /// Tokens per window rounded up to a multiple of 16.
    public static func paddedTokens(_ window: Int) -> Int { (window * window + 15) / 16 * 16 }

    /// Expands a PyTorch `relative_position_bias_table` of shape `[(2 window - 1)^2, heads]`.
    public init(table: Tensor, window: Int) {
        let span = 2 * window - 1
        precondition(table.rank == 2 && table.shape[0] == span * span,
                     "relative position table \(table.shape) for window \(window)")
        heads = table.shape[1]
        self.window = window
        let n = window * window, np = Self.paddedTokens(window)
        expanded = Tensor(zeros: [heads, n, np])
        for h in 0..<heads {
            for a in 0..<n {
                for b in 0..<np {
                    let value: Float
                    if b < n {
                        let dy = a / window - b / window + window - 1, dx = a % window - b % window + window - 1
                        value = table[dy * span + dx, h]
                    } else {
                        value = -.infinity
                    }
                    expanded[h, a, b] = value
                }
            }
        }
    }

    /// A bias of zeros (an attention layer without learned bias).
    public init(zerosFor window: Int, heads: Int) {
        let span = 2 * window - 1
        self.init(table: Tensor(zeros: [span * span, heads]), window: window)
    }
}
