import NetCDF
import OceanGrid
import Tensor

/// One output stream of a forecast — a member's state or a statistic over the members — with the request and
/// layout of its file: each member's file is a complete forecast of its own (CF's scalar `realization`
/// coordinate says which), so every tool that reads a forecast reads a member.
struct EnsembleOutput {
    let kind: EnsembleOptions.OutputKind
    /// The forecast's request with this stream's output path.
    let request: ForecastRequest
    let layout: ForecastLayout

    /// The streams of `request`: its one file for a single forecast; else a file per member, then mean and spread
    /// when asked.
    static func all(_ request: ForecastRequest, layout: ForecastLayout) -> [EnsembleOutput] {
        let e = request.ensemble
        return e.outputs(request.output).map { kind, path in
            var streamRequest = request, streamLayout = layout
            streamRequest.output = path
            streamLayout.ensemble = e.description(of: kind)
            if case .member(let m) = kind, e.members > 1 { streamLayout.realization = m + 1 }
            return EnsembleOutput(kind: kind, request: streamRequest, layout: streamLayout)
        }
    }

    /// Sets the members of `rollout` apart as the request asks (``MemberPerturbations``), before its first day:
    /// the model's spread of daily change from one pass on the first day's forcing, then each member's
    /// perturbation. Reads the forcing's first days itself (before the forecast's prefetch opens the file).
    static func perturb(_ rollout: Rollout, request: ForecastRequest, forcing: AtmosphereForcing, reference: CFDateTime,
                        initial: Tensor) throws {
        let e = request.ensemble, model = rollout.model, pool = rollout.pool
        let height = initial.shape[1], width = initial.shape[2]
        let day = AtmosphereDay.zeros(cells: height * width)
        func read(_ index: Int) throws -> AtmosphereDay {
            let date = AtmosphereForcing.date(reference, plus: index)
            try forcing.read(date, mode: request.forcingMode, into: day)
            try forcing.requirePhysical(day, date: date, ocean: rollout.surfaceOcean)
            return day
        }
        rollout.computeFluxes(atmosphere: try read(1))
        let spread = try MemberPerturbations.dailyChangeSpread(rollout)
        func seed(_ member: Int) -> Tensor {
            MemberPerturbations.gaussian(member: member, seed: e.seed, amplitude: e.amplitude, spread: spread, model: model,
                                         height: height, width: width)
        }
        switch e.perturbation {
        case .gaussian:
            for m in 0..<e.members { rollout.perturb(member: m, by: seed(m)) }
        case .bred:
            let days = min(EnsembleOptions.breedingDays, request.days)
            guard days == EnsembleOptions.breedingDays else {
                throw ForecastRequestError(field: .perturbation, problem: "bred needs a forecast of at least \(EnsembleOptions.breedingDays) days (its breeding cycles use the forecast's first days)")
            }
            let vectors = try MemberPerturbations.breed(stride(from: 0, to: e.members, by: 2).map(seed), from: initial,
                                                        spread: spread, model: model, read: read, pool: pool)
            for m in 0..<e.members { rollout.perturb(member: m, by: vectors[m / 2], sign: m % 2 == 0 ? 1 : -1) }
        }
    }
}

extension EnsembleOptions.OutputKind {
    /// Copies what this stream holds from `rollout` into `buffers`.
    func fill(_ buffers: OutputBuffers, from rollout: Rollout) {
        switch self {
        case .member(let m): rollout.copyOutput(member: m, into: buffers)
        case .statistic(let statistic): rollout.copy(statistic, into: buffers)
        }
    }
}
