/// The arithmetic of the network's matrix products.
public enum MatrixPrecision: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// fp32 operands and accumulation.
    case fp32
    /// bf16 operands (rounded to nearest even when packed or staged), fp32 accumulation and epilogues.
    case bf16

    public var description: String { rawValue }
}

/// What a user asks for: a precision, or `auto`, bf16 where the instruction path has bf16 dot products and
/// fp32 elsewhere.
public enum PrecisionChoice: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case fp32, bf16, auto

    public var description: String { rawValue }

    /// The names accepted, for messages.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// The precision this choice means on `path`; bf16 on a path without bf16 instructions is refused, naming
    /// what is missing.
    public func resolve(on path: InstructionPath = ProcessorCapabilities.taken) throws(PrecisionError) -> MatrixPrecision {
        switch self {
        case .fp32: return .fp32
        case .auto: return path >= .avx512bf16 ? .bf16 : .fp32
        case .bf16:
            guard path >= .avx512bf16 else { throw .unavailable(path: path) }
            return .bf16
        }
    }
}

/// bf16 was asked for where the kernels cannot compute it.
public enum PrecisionError: Error, Equatable, CustomStringConvertible {
    case unavailable(path: InstructionPath)

    public var description: String {
        switch self {
        case .unavailable(let path):
            let lowered = ProcessorCapabilities.current.highest >= .avx512bf16
                ? " (\(ProcessorCapabilities.variable) lowered it from \(ProcessorCapabilities.current.highest))" : ""
            return "precision bf16 needs AVX512-BF16 (or AMX), which the instruction path \(path)\(lowered) lacks; "
                + "use --precision fp32 or auto"
        }
    }
}
