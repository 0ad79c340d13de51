/// A fully connected layer with PyTorch's layout converted once at load: the weight `[out, in]` is transposed
/// to `[in, out]` and packed for ``PackedGEMM``, so that every product streams it without repacking.
public struct Linear: Sendable {
    /// W^T, `[in, out]`, packed.
    public let weight: PackedMatrix
    /// Bias, shape `[out]`, or nil.
    public let bias: Tensor?

    /// Builds the layer from a PyTorch-layout weight `[out, in]` and optional bias `[out]`, for products in `precision`.
    public init(pytorchWeight: Tensor, bias: Tensor?, precision: MatrixPrecision = .fp32) {
        precondition(pytorchWeight.rank == 2, "Linear weight must be [out, in], got \(pytorchWeight.shape)")
        weight = PackedMatrix(pytorchWeight.transposed(0, 1).contiguous(), precision: precision)
        if let bias { precondition(bias.count == pytorchWeight.shape[0], "Linear bias \(bias.shape) for \(pytorchWeight.shape)") }
        self.bias = bias
    }

    /// Input features.
    public var inputFeatures: Int { weight.k }
    /// Output features.
    public var outputFeatures: Int { weight.n }

    /// out[M, out] = x[M, in] W^T + bias, then `epilogue` (`.bias` when the layer has a bias and none is given).
    public func callAsFunction(_ x: Tensor, into out: Tensor, epilogue: Epilogue? = nil, context: ExecutionContext) {
        PackedGEMM.multiply(x, weight, bias: bias, epilogue: epilogue ?? (bias == nil ? .none : .bias), into: out, pool: context.pool)
    }
}
