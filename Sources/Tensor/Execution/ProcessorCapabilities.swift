import CProcessor
import Foundation

/// The instruction paths forecastd's kernels can take on x86, lowest first. Each needs the ones below it.
public enum InstructionPath: Int, Comparable, CaseIterable, Sendable, CustomStringConvertible {
    /// Baseline x86-64 (SSE2).
    case baseline
    /// AVX2 with FMA.
    case avx2
    /// AVX-512F.
    case avx512
    /// AVX512-BF16: bf16 dot products with fp32 accumulation (VDPBF16PS; Cooper Lake, Sapphire Rapids, Zen 4).
    case avx512bf16
    /// AMX-TILE and AMX-BF16, with Linux's permission for tile data: bf16 tile matrix products (TDPBF16PS).
    case amx

    /// The name FORECASTD_ISA takes and reports show.
    public var description: String {
        switch self {
        case .baseline: "x86-64"
        case .avx2: "avx2"
        case .avx512: "avx512"
        case .avx512bf16: "avx512-bf16"
        case .amx: "amx"
        }
    }

    public static func < (a: InstructionPath, b: InstructionPath) -> Bool { a.rawValue < b.rawValue }
}

/// What this processor, and the operating system on it, let forecastd use; and which path the kernels take:
/// the highest the processor has, or a lower one where the environment variable FORECASTD_ISA asks (so that
/// every path can be tried on one machine). AMX permission is asked of Linux once, when the processor has AMX.
public struct ProcessorCapabilities: Sendable, Equatable {
    public var avx2: Bool
    public var fma: Bool
    public var avx512f: Bool
    public var avx512bf16: Bool
    public var amxTile: Bool
    public var amxBF16: Bool
    /// Linux granted this process the AMX tile data state (arch_prctl ARCH_REQ_XCOMP_PERM).
    public var amxPermitted: Bool

    public init(avx2: Bool, fma: Bool, avx512f: Bool, avx512bf16: Bool, amxTile: Bool, amxBF16: Bool, amxPermitted: Bool) {
        (self.avx2, self.fma, self.avx512f, self.avx512bf16) = (avx2, fma, avx512f, avx512bf16)
        (self.amxTile, self.amxBF16, self.amxPermitted) = (amxTile, amxBF16, amxPermitted)
    }

    /// This processor's, detected once (CPUID, XCR0, and Linux's AMX permission, asked for when AMX is there).
    public static let current: ProcessorCapabilities = {
        let f = fd_running_cpu_features()
        let amx = f.amx_tile != 0 && f.amx_bf16 != 0
        return ProcessorCapabilities(avx2: f.avx2 != 0, fma: f.fma != 0, avx512f: f.avx512f != 0, avx512bf16: f.avx512bf16 != 0,
                                     amxTile: f.amx_tile != 0, amxBF16: f.amx_bf16 != 0,
                                     amxPermitted: amx && fd_request_amx_permission() != 0)
    }()

    /// The path the kernels take in this process (``selected(environment:)``; the baseline if the variable is
    /// invalid, which the command line refuses before any work).
    public static let taken: InstructionPath = (try? current.selected()) ?? .baseline

    /// The environment variable that lowers the path used.
    public static let variable = "FORECASTD_ISA"

    /// What `path` needs that this processor lacks; empty when it can take it.
    public func missing(for path: InstructionPath) -> [String] {
        var missing: [String] = []
        if path >= .avx2 { missing += [avx2 ? nil : "AVX2", fma ? nil : "FMA"].compactMap { $0 } }
        if path >= .avx512, !avx512f { missing.append("AVX-512F") }
        if path >= .avx512bf16, !avx512bf16 { missing.append("AVX512-BF16") }
        if path == .amx {
            missing += [amxTile ? nil : "AMX-TILE", amxBF16 ? nil : "AMX-BF16"].compactMap { $0 }
            if amxTile && amxBF16 && !amxPermitted { missing.append("Linux's permission for AMX tile data") }
        }
        return missing
    }

    /// The highest path this processor can take.
    public var highest: InstructionPath {
        InstructionPath.allCases.last { missing(for: $0).isEmpty } ?? .baseline
    }

    /// The path the kernels take: ``highest``, or the one `environment[FORECASTD_ISA]` names when that is not
    /// above it; an unknown name or a path the processor cannot take is an error naming what is missing.
    public func selected(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> InstructionPath {
        guard let asked = environment[Self.variable], !asked.isEmpty else { return highest }
        guard let path = InstructionPath.allCases.first(where: { $0.description == asked.lowercased() }) else {
            throw InstructionPathError.unknown(asked)
        }
        let missing = missing(for: path)
        guard missing.isEmpty else { throw InstructionPathError.unavailable(path, missing: missing, highest: highest) }
        return path
    }

    /// One line for reports: the path taken (as FORECASTD_ISA leaves it), the highest available, the features.
    public var report: String {
        let taken = (try? selected()).map(\.description) ?? "refused by \(Self.variable)"
        return "instruction path \(taken) (highest \(highest); \(summary))"
    }

    /// The features as `name=yes|no` pairs.
    public var summary: String {
        let features: [(String, Bool)] = [("avx2", avx2), ("fma", fma), ("avx512f", avx512f), ("avx512_bf16", avx512bf16),
                                          ("amx_tile", amxTile), ("amx_bf16", amxBF16), ("amx_permitted", amxPermitted)]
        return features.map { "\($0.0)=\($0.1 ? "yes" : "no")" }.joined(separator: " ")
    }
}

/// FORECASTD_ISA names a path that is unknown or that this processor cannot take.
public enum InstructionPathError: Error, CustomStringConvertible, Equatable {
    case unknown(String)
    case unavailable(InstructionPath, missing: [String], highest: InstructionPath)

    public var description: String {
        switch self {
        case .unknown(let name):
            "\(ProcessorCapabilities.variable)='\(name)' is not one of "
                + InstructionPath.allCases.map(\.description).joined(separator: ", ")
        case .unavailable(let path, let missing, let highest):
            "\(ProcessorCapabilities.variable)=\(path) needs \(missing.joined(separator: ", ")), which this processor lacks; "
                + "it can take \(highest) or lower"
        }
    }
}
