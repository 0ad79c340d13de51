import OceanGrid
import Tensor

/// The autoregressive forecast, one day per step, as WenHai runs it: the state is kept normalised with land
/// at 0; every day the bulk fluxes are computed from the current physical SST and surface currents, the
/// network predicts the daily change, and the new state is state + change, land reset, clipped to each
/// channel's physical range. The physical state (NaN on land) is what the fluxes and the output read.
///
/// An ensemble's members advance together (a leading member dimension everywhere; one network pass for all).
///
/// Memory, whatever the number of days, per member: two state-sized float tensors (the normalised state, and the physical
/// state, which is the initial state's own memory and holds the network's change while a forward pass runs), a
/// byte per cell for the ocean mask, the fluxes and one atmospheric day. At WenHai's published size (93 channels
/// on 2041 x 4320) a state-sized tensor is 3.3 GB: a separate change, a float mask and a copy of the initial state
/// would take 9 GB more.
public final class Rollout {
    public let model: ForecastModel
    let pool: ThreadPool
    /// Members advanced together (an ensemble; 1 for a single forecast).
    public let members: Int
    /// Normalised state `[N, S, H, W]`, 0 on land.
    private let state: Tensor
    /// Physical state `[N, S, H, W]`, NaN on land; the network's daily change during ``advance(day:)``.
    public let physical: Tensor
    /// 1 where a channel's cell is ocean, 0 on land (from the initial state's NaN pattern), `[S * H * W]`; the
    /// same for every member.
    private let ocean: UnsafeMutablePointer<UInt8>
    /// 1 over the ocean's surface cells, 0 on land, `[H * W]`.
    public let surfaceOcean: Tensor
    /// Raw fluxes `[N, F, H * W]`, then normalised in place with land at 0.
    private let fluxes: Tensor
    /// State channels and cells per channel of one member.
    let channels: Int, plane: Int
    /// Normalised clip bounds per state channel.
    private let lower: [Float], upper: [Float]
    /// Per member and state channel, the first ocean cell where a day's change was not finite (-1: none); filled
    /// by ``advance(day:)``.
    private let firstNonFinite: UnsafeMutablePointer<Int>

    /// Prepares a forecast from `initial` (`[S, H, W]`, physical units, NaN on land, contiguous). With one member
    /// the rollout takes over `initial`'s memory as its physical state (the caller must not use it afterwards);
    /// with more, every member starts as a copy of it (``perturb(member:by:)`` then sets each one apart).
    public init(model: ForecastModel, initial: Tensor, members: Int = 1, pool: ThreadPool = .shared) {
        precondition(initial.isContiguous && initial.rank == 3, "the initial state must be a contiguous [S, H, W]")
        precondition(members > 0, "\(members) members")
        self.model = model
        self.pool = pool
        self.members = members
        let c = model.surrogate.configuration
        channels = initial.shape[0]
        plane = initial.shape[1] * initial.shape[2]
        let shape = Dimensions(members, channels, initial.shape[1], initial.shape[2])
        state = Tensor(zeros: shape)
        if members == 1 {
            physical = initial.reshaped(shape)
        } else {
            physical = Tensor(zeros: shape)
            for m in 0..<members { initial.copy(to: physical.subtensor(m)) }
        }
        ocean = .allocate(capacity: initial.count)
        surfaceOcean = Tensor(zeros: [plane])
        firstNonFinite = .allocate(capacity: members * channels)
        fluxes = Tensor(zeros: [members, c.fluxChannels, initial.shape[1], initial.shape[2]])
        lower = model.stateLower.indices.map { (model.stateLower[$0] - model.stateOffset[$0]) / model.stateScale[$0] }
        upper = model.stateUpper.indices.map { (model.stateUpper[$0] - model.stateOffset[$0]) / model.stateScale[$0] }
        let po = ocean, ps = state.pointer, pp = physical.pointer, channels = channels
        let offset = model.stateOffset, scale = model.stateScale, plane = plane, lower = lower, upper = upper
        pool.parallelFor(members * channels) { task, _ in
            let channel = task % channels, base = task * plane
            let o = offset[channel], s = scale[channel], low = lower[channel], high = upper[channel]
            if task < channels {
                for i in 0..<plane { po[base + i] = pp[base + i].isNaN ? 0 : 1 }
            }
            let from = UnsafePointer(pp + base), normalised = ps + base, physical = pp + base
            for i in 0..<plane {
                let v = from[i], wet = v == v
                let n = min(max((v - o) / s, low), high)  // NaN on land
                normalised[i] = wet ? n : 0
                physical[i] = wet ? n * s + o : .nan
            }
        }
        let surface = ocean + model.channel(.thetao) * plane, sp = surfaceOcean.pointer
        for i in 0..<plane { sp[i] = Float(surface[i]) }
    }

    deinit {
        firstNonFinite.deallocate()
        ocean.deallocate()
    }

    /// The physical field of `channel` of `member` as `[H * W]` (a view).
    func channel(_ index: Int, member: Int = 0) -> Tensor {
        let first = (member * channels + index) * plane
        return physical.reshaped(Dimensions(physical.count)).slice(0, first..<(first + plane))
    }

    /// The normalised fluxes of `member`, `[F, H, W]` (a view).
    func memberFluxes(_ member: Int) -> Tensor { fluxes.subtensor(member) }

    /// The ocean mask, `[S * H * W]`: 1 where a channel's cell is ocean.
    var oceanMask: UnsafePointer<UInt8> { UnsafePointer(ocean) }

    /// The normalised state of `member`, `[S, H, W]` (a view).
    public func normalisedState(member: Int) -> Tensor { state.subtensor(member) }

    /// Adds `sign` times `delta` (normalised units, `[S, H, W]`) to `member`'s state over the ocean, clipped to
    /// each channel's range like a day's change; land stays land.
    public func perturb(member: Int, by delta: Tensor, sign: Float = 1) {
        precondition(delta.count == channels * plane && delta.isContiguous, "perturbation \(delta.shape)")
        let ps = state.pointer + member * channels * plane, pp = physical.pointer + member * channels * plane
        let pd = delta.pointer, po = ocean, offset = model.stateOffset, scale = model.stateScale, plane = plane
        let lower = lower, upper = upper
        pool.parallelFor(channels) { channel, _ in
            for i in (channel * plane)..<((channel + 1) * plane) where po[i] > 0 {
                ps[i] = min(max(ps[i] + sign * pd[i], lower[channel]), upper[channel])
                pp[i] = ps[i] * scale[channel] + offset[channel]
            }
        }
    }

    /// Computes the day's bulk fluxes of every member from its current state by the model's recipe and normalises
    /// them (land 0 where the recipe says so or the flux is undefined, clipped to the model's flux range when it
    /// has one). `atmosphere` holds the day of every member, or one day that all members share. Returns nothing;
    /// the next ``advance(day:)`` uses them.
    public func computeFluxes(atmosphere: [AtmosphereDay]) {
        precondition(atmosphere.count == 1 || atmosphere.count == members, "\(atmosphere.count) atmospheric days for \(members) members")
        let f = fluxes.shape[1]
        for m in 0..<members {
            let sst = channel(model.channel(.thetao), member: m), us = channel(model.channel(.uo), member: m)
            let vs = channel(model.channel(.vo), member: m)
            BulkFluxes.compute(sst: sst, us: us, vs: vs, atmosphere: atmosphere[atmosphere.count == 1 ? 0 : m],
                               into: fluxes.subtensor(m).reshaped(Dimensions(f, plane)), recipe: model.fluxRecipe, pool: pool)
        }
        let pf = fluxes.pointer, offset = model.fluxOffset, scale = model.fluxScale, plane = plane
        let lower = model.fluxRange?.lowerBound ?? -.infinity, upper = model.fluxRange?.upperBound ?? .infinity
        let land: Float = model.fluxRecipe.zeroOnLand ? 0 : 1, ocean = surfaceOcean.pointer
        pool.parallelFor(members * f) { task, _ in
            let c = task % f, base = task * plane
            for i in 0..<plane {
                let v = (pf[base + i] - offset[c]) / scale[c]
                pf[base + i] = v.isNaN || max(ocean[i], land) == 0 ? 0 : min(max(v, lower), upper)
            }
        }
    }

    /// One day of the network for every member: state = clip(ocean * (state + change)); the physical state
    /// follows (the change is written into the physical state's memory, which the day's fluxes no longer need).
    /// A change that is not finite at an ocean cell (weights or inputs far outside what the model knows) stops
    /// the forecast with ``ForecastError/nonFinite(day:channel:row:column:)`` instead of being clipped into the
    /// state.
    public func advance(day: Int) throws {
        try model.surrogate.forward(state: state, flux: fluxes, into: physical)
        let ps = state.pointer, pp = physical.pointer, po = ocean, channels = channels
        let offset = model.stateOffset, scale = model.stateScale, plane = plane, lower = lower, upper = upper
        let firstBad = firstNonFinite
        pool.parallelFor(members * channels) { task, _ in
            let channel = task % channels, base = task * plane
            let state = ps + base, physical = pp + base, wet = UnsafePointer(po + channel * plane)
            let low = lower[channel], high = upper[channel], s = scale[channel], o = offset[channel]
            // One branch-free pass, which the compiler vectorises; the first ocean cell whose sum is not finite
            // is kept as a minimum.
            var first = Int32.max
            for i in 0..<plane {
                let sum = state[i] + physical[i], ocean = wet[i] != 0
                let finite = sum.bitPattern & 0x7F80_0000 != 0x7F80_0000
                first = ocean && !finite ? min(first, Int32(truncatingIfNeeded: i)) : first
                let v = min(max(sum, low), high)
                state[i] = ocean ? v : 0
                physical[i] = ocean ? v * s + o : .nan
            }
            firstBad[task] = first == .max ? -1 : Int(first)
        }
        if let task = (0..<(members * channels)).first(where: { firstBad[$0] >= 0 }) {
            let width = state.shape[3], cell = firstBad[task]
            throw ForecastError.nonFinite(day: day, channel: task % channels, row: cell / width, column: cell % width)
        }
    }

    /// Buffers an ensemble statistic is computed into for the forecast writer, allocated once per forecast (their
    /// pages are only taken when first written).
    public func makeOutputBuffers() -> OutputBuffers {
        OutputBuffers(fields: Dictionary(uniqueKeysWithValues: OceanVariable.allCases.map { v in
            (v.rawValue, Tensor(zeros: [outputRange(v).count]))
        }))
    }

    /// `member`'s physical state per variable, `[levels * H * W]` (zos `[H * W]`), NaN on land, as the forecast
    /// writer takes it: views of the rollout's own memory, valid until the next ``advance(day:)``.
    public func outputFields(member: Int = 0) -> [String: UnsafeBufferPointer<Float>] {
        let base = UnsafePointer(physical.pointer + member * channels * plane)
        return Dictionary(uniqueKeysWithValues: OceanVariable.allCases.map { v in
            let range = outputRange(v)
            return (v.rawValue, UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
        })
    }

    /// Elements of one member's state a variable spans.
    func outputRange(_ variable: OceanVariable) -> Range<Int> {
        let first = model.channel(variable) * plane, count = (variable.hasDepth ? model.levels.count : 1) * plane
        return first..<(first + count)
    }
}

/// One day of output per variable (an ensemble statistic), in buffers that a forecast reuses day after day.
public struct OutputBuffers: @unchecked Sendable {
    /// `[levels * H * W]` (zos `[H * W]`) per variable name. `@unchecked Sendable`: a forecast fills them and
    /// encodes them on its own threads before the next day overwrites them.
    public let fields: [String: Tensor]

    /// The buffers' values, as the forecast writer takes them.
    public var values: [String: UnsafeBufferPointer<Float>] {
        fields.mapValues { UnsafeBufferPointer(start: $0.pointer, count: $0.count) }
    }
}
