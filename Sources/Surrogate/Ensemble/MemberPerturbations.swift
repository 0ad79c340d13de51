import Foundation
import OceanGrid
import Tensor

/// The initial perturbations of an ensemble, in the model's normalised units, seeded and reproducible.
///
/// Members come in pairs of opposite sign (member 2k + 1 starts from minus member 2k's perturbation), so that the
/// perturbed states are centred on the initial state. Member k's perturbation depends only on the seed, k and the
/// initial state: member k of an N-member run is the member run alone.
///
/// Gaussian: one field of white noise per variable (shared by its levels, so a column moves together), smoothed by
/// a box filter of ``EnsembleOptions/correlationCells`` applied three times, scaled to unit RMS, then per channel
/// to the variable's amplitude (``EnsembleOptions/amplitude(of:)``) times the RMS of the model's first daily change over the ocean in that channel (its
/// ``dailyChangeSpread(_:)``). Bred: those fields grown by the surrogate itself (``breed(_:from:spread:model:read:pool:)``).
public enum MemberPerturbations {
    /// Per state channel, the RMS over the ocean of the network's change on the first day from the rollout's
    /// member 0 (normalised units), its fluxes already computed. Runs one pass of one member; the rollout's
    /// state is left as it was.
    public static func dailyChangeSpread(_ rollout: Rollout) throws -> [Float] {
        let shape = rollout.normalisedState(member: 0).shape
        let change = Tensor(zeros: shape)
        try rollout.model.surrogate.forward(state: rollout.normalisedState(member: 0).contiguous(),
                                            flux: rollout.memberFluxes(0), into: change)
        let plane = rollout.plane, ocean = rollout.oceanMask
        return (0..<rollout.channels).map { c in
            var sum = 0.0, count = 0
            for i in (c * plane)..<((c + 1) * plane) where ocean[i] > 0 {
                let v = Double(change.pointer[i])
                sum += v * v
                count += 1
            }
            return count == 0 ? 0 : Float((sum / Double(count)).squareRoot())
        }
    }

    /// The Gaussian perturbation of member `member`, `[S, H, W]`.
    public static func gaussian(member: Int, options: EnsembleOptions, spread: [Float], model: ForecastModel,
                                height: Int, width: Int) -> Tensor {
        let plane = height * width, out = Tensor(zeros: [spread.count, height, width])
        let sign: Float = member % 2 == 0 ? 1 : -1
        for (index, variable) in OceanVariable.allCases.enumerated() {
            var generator = SplitMix64(seed: options.seed, stream: UInt64(member / 2) * 16 + UInt64(index))
            let field = correlatedNoise(height: height, width: width, generator: &generator)
            let first = model.channel(variable), count = variable.hasDepth ? model.levels.count : 1
            for channel in first..<(first + count) {
                let factor = sign * options.amplitude(of: variable) * spread[channel], dst = out.pointer + channel * plane
                for i in 0..<plane { dst[i] = factor * field[i] }
            }
        }
        return out
    }

    /// White noise smoothed three times by a box of ``EnsembleOptions/correlationCells`` cells each side (edges
    /// averaged over the cells inside), scaled to unit RMS.
    static func correlatedNoise(height: Int, width: Int, generator: inout SplitMix64) -> [Float] {
        var field = (0..<(height * width)).map { _ in normal(&generator) }
        let r = EnsembleOptions.correlationCells
        for _ in 0..<3 {
            boxFilter(&field, count: width, lines: height, step: 1, lineStride: width, radius: r)
            boxFilter(&field, count: height, lines: width, step: width, lineStride: 1, radius: r)
        }
        let rms = (field.reduce(0) { $0 + Double($1) * Double($1) } / Double(field.count)).squareRoot()
        return rms > 0 ? field.map { $0 / Float(rms) } : field
    }

    /// A standard normal number (Box-Muller).
    static func normal(_ generator: inout SplitMix64) -> Float {
        Float((-2 * log(generator.unit())).squareRoot() * cos(2 * Double.pi * generator.unit()))
    }

    /// Moving average of half-width `radius` along `lines` lines of `count` values (`step` apart, lines
    /// `lineStride` apart), in place.
    private static func boxFilter(_ field: inout [Float], count: Int, lines: Int, step: Int, lineStride: Int, radius: Int) {
        var line = [Double](repeating: 0, count: count + 1)
        for l in 0..<lines {
            let base = l * lineStride
            for i in 0..<count { line[i + 1] = line[i] + Double(field[base + i * step]) }
            for i in 0..<count {
                let lo = max(0, i - radius), hi = min(count, i + radius + 1)
                field[base + i * step] = Float((line[hi] - line[lo]) / Double(hi - lo))
            }
        }
    }

    /// Bred vectors grown from `seeds` (the Gaussian perturbations of the pairs' first members):
    /// ``EnsembleOptions/breedingCycles`` cycles of ``EnsembleOptions/breedingDays`` days forecast by the surrogate
    /// for an unperturbed control and every perturbed state together (forcing from `read`, the forecast's first
    /// days); each cycle's end difference from the control, rescaled variable by variable to its seed's size (RMS
    /// over the ocean in units of each channel's spread, so that each variable keeps the size its amplitude asks
    /// for), starts the next cycle (a variable that did not move apart keeps its seed).
    public static func breed(_ seeds: [Tensor], from initial: Tensor, spread: [Float], model: ForecastModel,
                             read: (Int) throws -> [AtmosphereDay], pool: ThreadPool) throws -> [Tensor] {
        var vectors = seeds
        let weights = spread.map { $0 > 0 ? 1 / $0 : 0 }
        let variables = OceanVariable.allCases.map { v in
            model.channel(v)..<(model.channel(v) + (v.hasDepth ? model.levels.count : 1))
        }
        for _ in 0..<EnsembleOptions.breedingCycles {
            let cycle = Rollout(model: model, initial: initial, members: vectors.count + 1, pool: pool)
            for (k, vector) in vectors.enumerated() { cycle.perturb(member: k + 1, by: vector) }
            for day in 1...EnsembleOptions.breedingDays {
                cycle.computeFluxes(atmosphere: try read(day))
                try cycle.advance(day: day)
            }
            let control = cycle.normalisedState(member: 0), plane = cycle.plane
            vectors = vectors.indices.map { k in
                let grown = Tensor(zeros: control.shape), pg = grown.pointer
                let pm = cycle.normalisedState(member: k + 1).pointer, pc = control.pointer
                for i in 0..<grown.count { pg[i] = pm[i] - pc[i] }
                for channels in variables {
                    let size = norm(seeds[k], channels, weights: weights, rollout: cycle)
                    let now = norm(grown, channels, weights: weights, rollout: cycle)
                    let cells = (channels.lowerBound * plane)..<(channels.upperBound * plane)
                    if now > 0 {
                        for i in cells { pg[i] *= size / now }
                    } else {
                        for i in cells { pg[i] = seeds[k].pointer[i] }
                    }
                }
                return grown
            }
        }
        return vectors
    }

    /// RMS over the ocean of `field` in `channels`, each channel weighted by `weights`.
    private static func norm(_ field: Tensor, _ channels: Range<Int>, weights: [Float], rollout: Rollout) -> Float {
        let plane = rollout.plane, ocean = rollout.oceanMask, p = field.pointer
        var sum = 0.0, count = 0
        for c in channels {
            for i in (c * plane)..<((c + 1) * plane) where ocean[i] > 0 {
                let v = Double(p[i] * weights[c])
                sum += v * v
                count += 1
            }
        }
        return count == 0 ? 0 : Float((sum / Double(count)).squareRoot())
    }
}
