/// LayerNorm over the channels of channels-last activations `[tokens, C]`, with its learned scale and shift.
public struct LayerNorm: Sendable {
    /// Scale and shift, `[C]` each.
    public let gamma: Tensor
    public let beta: Tensor
    public let epsilon: Float

    public init(gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5) {
        precondition(gamma.shape == beta.shape && gamma.rank == 1, "LayerNorm gamma \(gamma.shape), beta \(beta.shape)")
        self.gamma = gamma
        self.beta = beta
        self.epsilon = epsilon
    }

    /// Channels normalised.
    public var channels: Int { gamma.count }

    /// out = LayerNorm(x); `out` may be `x`.
    public func callAsFunction(_ x: Tensor, into out: Tensor, context: ExecutionContext) {
        Normalization.layerNorm(x, gamma: gamma, beta: beta, epsilon: epsilon, into: out, pool: context.pool)
    }
}
