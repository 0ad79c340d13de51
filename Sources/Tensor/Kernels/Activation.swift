import CKernels

/// A pointwise nonlinearity, applied on its own or fused into a kernel's epilogue.
public enum Activation: String, Sendable, CaseIterable {
    /// No change.
    case identity
    /// GELU, exact form x * Phi(x).
    case gelu
    /// GELU, tanh approximation (PyTorch `approximate="tanh"`).
    case geluTanh
    /// SiLU / swish, x * sigmoid(x).
    case silu

    /// Applies the activation to `n` floats from `source` into `destination` (which may be `source`).
    @inline(__always) @usableFromInline
    func apply(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ n: Int) {
        switch self {
        case .identity: if source != destination { destination.update(from: source, count: n) }
        case .gelu: fd_gelu_erf(source, destination, n)
        case .geluTanh: fd_gelu_tanh(source, destination, n)
        case .silu: fd_silu(source, destination, n)
        }
    }
}
