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

    /// Sets the members of `rollout` apart as the request asks, before its first day: for Gaussian and bred
    /// perturbations (``MemberPerturbations``) the model's spread of daily change from one pass on the first day's
    /// forcing, then each member's perturbation; lagged members from earlier states of the init file; nothing for
    /// the forcing's members. Reads the forcing itself (before the forecast's prefetch opens the file); spread and
    /// breeding take the forcing's first member when it has members (breeding grows the state's own instabilities
    /// under one forcing), a lagged member its own.
    static func perturb(_ rollout: Rollout, request: ForecastRequest, forcing: AtmosphereForcing, reference: CFDateTime,
                        initial: Tensor) throws {
        let e = request.ensemble, model = rollout.model, pool = rollout.pool
        let height = initial.shape[1], width = initial.shape[2]
        let day = AtmosphereDay.zeros(cells: height * width)
        func read(_ index: Int, from start: CFDateTime = reference, member: Int = 0) throws -> [AtmosphereDay] {
            try forcing.readChecked(AtmosphereForcing.date(start, plus: index), mode: request.forcingMode,
                                    member: forcing.members > 1 ? member : 0,
                                    into: day, ocean: rollout.surfaceOcean)
            return [day]
        }
        switch e.perturbation {
        case .forcing: return
        case .lagged: return try lag(rollout, request: request, reference: reference, read: read)
        case .gaussian, .bred: break
        }
        rollout.computeFluxes(atmosphere: try read(1))
        let spread = try MemberPerturbations.dailyChangeSpread(rollout)
        func seed(_ member: Int) -> Tensor {
            MemberPerturbations.gaussian(member: member, options: e, spread: spread, model: model,
                                         height: height, width: width)
        }
        if e.perturbation == .gaussian {
            for m in 0..<e.members { rollout.perturb(member: m, by: seed(m)) }
            return
        }
        let vectors = try MemberPerturbations.breed(stride(from: 0, to: e.members, by: 2).map(seed), from: initial,
                                                    spread: spread, model: model, read: { try read($0) }, pool: pool)
        for m in 0..<e.members { rollout.perturb(member: m, by: vectors[m / 2], sign: m % 2 == 0 ? 1 : -1) }
    }

    /// Lagged starts: member k's state becomes the surrogate's k-day forecast from the init file's state k days
    /// before `reference` (read with the request's variable names, forced by the forcing of those days: `read(day,
    /// start, member)`, the member's own when the forcing has members).
    private static func lag(_ rollout: Rollout, request: ForecastRequest, reference: CFDateTime,
                            read: (Int, CFDateTime, Int) throws -> [AtmosphereDay]) throws {
        let model = rollout.model
        for m in 1..<request.ensemble.members {
            let start = AtmosphereForcing.date(reference, plus: -m)
            let earlier: InitialState
            do {
                earlier = try InitialState.read(path: request.initial, model: model, names: request.stateNames, start: start.description)
            } catch {
                throw ForecastError.inputData(path: request.initial, variable: nil, detail: "lagged member \(m + 1) starts from the state "
                                              + "\(m) day(s) before the start, \(start), which this file cannot give: \(error)")
            }
            let lagged = Rollout(model: model, initial: earlier.state, pool: rollout.pool)
            for d in 1...m {
                lagged.computeFluxes(atmosphere: try read(d, start, m))
                try lagged.advance(day: d)
            }
            let delta = Tensor(zeros: lagged.normalisedState(member: 0).shape)
            let pl = lagged.normalisedState(member: 0).pointer, pm = rollout.normalisedState(member: m).pointer
            for i in 0..<delta.count { delta.pointer[i] = pl[i] - pm[i] }
            rollout.perturb(member: m, by: delta)
        }
    }
}

extension EnsembleOptions.OutputKind {
    /// What this stream holds of `rollout`'s day: a member's state as it is, a statistic computed into `buffers`.
    func fields(_ buffers: OutputBuffers, of rollout: Rollout) -> [String: UnsafeBufferPointer<Float>] {
        switch self {
        case .member(let m): return rollout.outputFields(member: m)
        case .statistic(let statistic):
            rollout.copy(statistic, into: buffers)
            return buffers.values
        }
    }
}
