import Foundation
import OceanGrid

/// How an ensemble's members are set apart from the initial state.
public enum Perturbation: String, Sendable, CaseIterable, Codable {
    /// Spatially correlated Gaussian noise, per channel scaled by the model's own spread of daily change.
    case gaussian
    /// Bred vectors: Gaussian seeds grown by the surrogate itself over short breeding cycles from the initial
    /// state, each rescaled to its seed's size at the end of a cycle.
    case bred
    /// Lagged starts: member k (0-based) is the surrogate's forecast from the init file's state k days before the
    /// start, run to the start (member 0 is the state at the start itself).
    case lagged
    /// None of the initial state: members are set apart by the forcing file's own members alone.
    case forcing
}

/// What a request asks of an ensemble. One member (the default) is a deterministic forecast.
public struct EnsembleOptions: Sendable, Equatable {
    /// Members a request may ask for.
    public static let memberRange = 1...1024
    /// Perturbation sizes a request may ask for, in units of the model's spread of daily change.
    public static let amplitudeRange: ClosedRange<Float> = 0...100

    public var members = 1
    public var perturbation: Perturbation = .gaussian
    /// The perturbations' seed: the same seed and thread count give the same members, bit for bit.
    public var seed: UInt64 = 1
    /// Size of a perturbation per channel, as a multiple of the RMS of the model's first daily change over the
    /// ocean in that channel; `variableAmplitudes` overrides it for the variables it names.
    public var amplitude: Float = 1
    public var variableAmplitudes: [OceanVariable: Float] = [:]
    /// Also write the ensemble mean and spread (standard deviation over members) as forecasts of their own.
    public var statistics = false

    public init() {}

    /// The perturbation size of `variable`'s channels.
    public func amplitude(of variable: OceanVariable) -> Float { variableAmplitudes[variable] ?? amplitude }

    /// Sets the sizes from `X` (every variable) or `VARIABLE=X` entries, e.g. `2` or `zos=1.5`; later entries win.
    public mutating func setAmplitudes(entries: [String]) throws {
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard let value = Float(parts.last ?? ""), value.isFinite,
                  parts.count == 1 || OceanVariable(rawValue: parts[0]) != nil else {
                throw ForecastRequestError(field: .perturbationScale, problem: "takes X or VARIABLE=X (a state variable: "
                                           + OceanVariable.allCases.map(\.rawValue).joined(separator: ", ") + "), e.g. zos=1.5; got '\(entry)'")
            }
            if parts.count == 2 { variableAmplitudes[OceanVariable(rawValue: parts[0])!] = value } else { amplitude = value }
        }
    }

    /// The sizes as `setAmplitudes(entries:)` takes them: the overall one, then each variable's.
    public var amplitudeEntries: [String] {
        ["\(amplitude)"] + variableAmplitudes.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value)" }
    }

    /// Cells over which a perturbation is correlated: the half-width of the box filter applied three times
    /// to white noise (close to a Gaussian of standard deviation 1.4 times this).
    public static let correlationCells = 6
    /// Breeding cycles, and days of forecast per cycle, for ``Perturbation/bred``.
    public static let breedingCycles = 2, breedingDays = 2

    /// The file of member `member` (0-based) beside `output`: `NAME_member01.nc` ...; `NAME_mean.nc` and
    /// `NAME_spread.nc` for the statistics.
    public static func path(_ output: String, suffix: String) -> String {
        let url = URL(fileURLWithPath: output)
        let stem = url.deletingPathExtension().lastPathComponent, ext = url.pathExtension.isEmpty ? "nc" : url.pathExtension
        return url.deletingLastPathComponent().appendingPathComponent("\(stem)_\(suffix).\(ext)").path
    }

    /// The suffix of member `member` (0-based): `member01` ... (four digits past 99 members).
    public func memberSuffix(_ member: Int) -> String { Self.memberSuffix(member, digits: members > 99 ? 4 : 2) }

    /// The suffix of member `member` (0-based) written with `digits` digits.
    public static func memberSuffix(_ member: Int, digits: Int = 2) -> String { String(format: "member%0\(digits)d", member + 1) }

    /// The member files of an ensemble written to `output` that exist, in member order (empty when there are none).
    public static func memberFiles(of output: String) -> [String] {
        for digits in [2, 4] {
            let files = Array((0...).lazy.map { path(output, suffix: memberSuffix($0, digits: digits)) }
                .prefix { FileManager.default.fileExists(atPath: $0) })
            if !files.isEmpty { return files }
        }
        return []
    }

    /// What an output file of a forecast holds.
    public enum OutputKind: Sendable, Equatable {
        /// Member `k` (0-based; a deterministic forecast is member 0 of 1).
        case member(Int)
        /// A statistic over all members.
        case statistic(Rollout.Statistic)
    }

    /// Output files of a forecast writing to `output`: `output` itself for one member; else the members'
    /// files, then mean and spread when asked.
    public func outputs(_ output: String) -> [(kind: OutputKind, path: String)] {
        guard members > 1 else { return [(.member(0), output)] }
        let files = (0..<members).map { (OutputKind.member($0), Self.path(output, suffix: memberSuffix($0))) }
        let statistics = statistics ? [Rollout.Statistic.mean, .spread].map { (OutputKind.statistic($0), Self.path(output, suffix: $0.rawValue)) } : []
        return files + statistics
    }

    /// What a file of `kind` holds within this ensemble (its attribute forecastd_ensemble), nil for a single
    /// forecast's file.
    public func description(of kind: OutputKind) -> String? {
        let made = switch perturbation {
        case .gaussian, .bred: "\(perturbation.rawValue) perturbation, scale \(amplitudeEntries.joined(separator: ",")) of the model's daily change, seed \(seed)"
        case .lagged: "lagged starts a day apart"
        case .forcing: "the forcing file's members, the initial state unperturbed"
        }
        switch kind {
        case .member where members == 1: return nil
        case .member(let m): return "member \(m + 1) of \(members): \(made)"
        case .statistic(let s): return "\(s == .mean ? "mean" : "standard deviation") of \(members) members: \(made)"
        }
    }
}

extension EnsembleOptions {
    /// Checks `forcing` against this ensemble before anything is computed. A forcing with members forces member k
    /// of the ensemble by its own member k (whatever sets the initial states apart), so it must hold as many
    /// members as the ensemble; the ``Perturbation/forcing`` perturbation needs such a file.
    public func requireForcing(_ forcing: AtmosphereForcing) throws {
        if forcing.members > 1, forcing.members != members, let dimension = forcing.memberDimension {
            throw ForecastError.inputData(path: forcing.path, variable: nil, detail: "holds \(forcing.members) members along '\(dimension)', "
                                          + "one for each member of an ensemble, but the forecast asks for \(members): ask for "
                                          + "\(forcing.members) members, or take the members wanted out of the file (e.g. ncks -d \(dimension),0)")
        }
        if perturbation == .forcing, members > 1, forcing.members == 1 {
            throw ForecastError.inputData(path: forcing.path, variable: nil, detail: "has no members (no realization or number dimension "
                                          + "of more than one), and the forcing perturbation sets members apart by the forcing's members alone")
        }
    }

    /// Bytes an ensemble of this size needs beside the weights on a `height` x `width` grid: per member the
    /// normalised and physical states, the fluxes, two days of forcing (a forcing with members holds them for every
    /// member; one shared forcing needs less), an output buffer and the network's activations (at least
    /// ``SurrogateConfiguration/minimumActivationBytes``); with bred vectors, the breeding rollout of half the
    /// members and a control besides; with lagged starts, the rollout of one lagged member.
    public func memoryBytes(_ c: SurrogateConfiguration, height: Int, width: Int) -> Double {
        let plane = Double(height) * Double(width)
        let rollout = 4 * plane * Double(2 * c.stateChannels + c.fluxChannels) + c.minimumActivationBytes
        let perMember = rollout + 4 * plane * Double(c.stateChannels + 2 * AtmosphereDay.names.count)
        let extra = switch perturbation {
        case .bred where members > 1: Double((members + 1) / 2 + 1) * rollout
        case .lagged where members > 1: rollout
        default: 0.0
        }
        return Double(members) * perMember + extra
    }

    /// Refuses, before anything is computed or written, an ensemble that cannot fit in `available` bytes beside
    /// `weights`, with the estimate and the number of members that would fit.
    public func requireMemory(_ c: SurrogateConfiguration, height: Int, width: Int, weights: Double,
                              available: Double = Double(ProcessInfo.processInfo.physicalMemory)) throws {
        let needed = weights + memoryBytes(c, height: height, width: width)
        guard needed > available else { return }
        var one = self
        one.members = 1
        let fitting = Int(((available - weights) / one.memoryBytes(c, height: height, width: width)).rounded(.down))
        func gib(_ bytes: Double) -> String { String(format: "%.1f GiB", bytes / 1_073_741_824) }
        throw ForecastRequestError(field: .members, problem: "\(members) members on the \(height)x\(width) grid need about \(gib(needed)) "
                                   + "(\(gib(needed - weights)) for the members, \(gib(weights)) of weights), more than this machine's "
                                   + "\(gib(available)); about \(max(fitting, 0)) would fit")
    }
}
