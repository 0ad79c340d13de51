/// GroupNorm over channels-last maps `[H, W, C]`: statistics per group of C / groups channels over the whole
/// map, then the learned scale and shift per channel, fused with an activation and a residual sum.
public struct GroupNorm: Sendable {
    public let groups: Int
    /// Scale and shift, `[C]` each.
    public let gamma: Tensor
    public let beta: Tensor
    public let epsilon: Float

    public init(groups: Int, gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5) {
        precondition(gamma.shape == beta.shape && gamma.rank == 1 && groups > 0 && gamma.count % groups == 0,
                     "GroupNorm of \(groups) groups, gamma \(gamma.shape), beta \(beta.shape)")
        self.groups = groups
        self.gamma = gamma
        self.beta = beta
        self.epsilon = epsilon
    }

    /// out = activation(GroupNorm(x)) + residual; `out` may be `x`.
    public func callAsFunction(_ x: Tensor, activation: Activation = .identity, residual: Tensor? = nil, into out: Tensor,
                               context: ExecutionContext) {
        Normalization.groupNorm(x, groups: groups, gamma: gamma, beta: beta, epsilon: epsilon, activation: activation,
                                residual: residual, into: out, arena: context.arena, pool: context.pool)
    }
}
