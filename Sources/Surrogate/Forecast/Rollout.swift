import OceanGrid
import Tensor

/// The autoregressive forecast, one day per step, as WenHai runs it: the state is kept normalised with land
/// at 0; every day the bulk fluxes are computed from the current physical SST and surface currents, the
/// network predicts the daily change, and the new state is state + change, land reset, clipped to each
/// channel's physical range. The physical state (NaN on land) is what the fluxes and the output read.
///
/// Memory, whatever the number of days: two state-sized float tensors (the normalised state, and the physical
/// state, which is the initial state's own memory and holds the network's change while a forward pass runs), a
/// byte per cell for the ocean mask, the fluxes and one atmospheric day. At WenHai's published size (93 channels
/// on 2041 x 4320) a state-sized tensor is 3.3 GB: a separate change, a float mask and a copy of the initial state
/// would take 9 GB more.
public final class Rollout {
    public let model: ForecastModel
    private let pool: ThreadPool
    /// Normalised state `[S, H, W]`, 0 on land.
    private let state: Tensor
    /// Physical state `[S, H, W]`, NaN on land; the network's daily change during ``advance(day:)``.
    public let physical: Tensor
    /// 1 where a channel's cell is ocean, 0 on land (from the initial state's NaN pattern), `[S * H * W]`.
    private let ocean: UnsafeMutablePointer<UInt8>
    /// 1 over the ocean's surface cells, 0 on land, `[H * W]`.
    public let surfaceOcean: Tensor
    /// Raw fluxes `[F, H * W]`, then normalised in place with land at 0.
    private let fluxes: Tensor
    private let plane: Int
    /// Normalised clip bounds per state channel.
    private let lower: [Float], upper: [Float]
    /// Per state channel, the first ocean cell where a day's change was not finite (-1: none); filled by ``advance(day:)``.
    private let firstNonFinite: UnsafeMutablePointer<Int>

    /// Prepares a forecast from `initial` (physical units, NaN on land, contiguous), whose memory it takes over
    /// as its physical state: the caller must not use `initial` afterwards.
    public init(model: ForecastModel, initial: Tensor, pool: ThreadPool = .shared) {
        precondition(initial.isContiguous, "the initial state must be contiguous")
        self.model = model
        self.pool = pool
        let c = model.surrogate.configuration
        let shape = initial.shape
        plane = shape[1] * shape[2]
        state = Tensor(zeros: shape)
        physical = initial
        ocean = .allocate(capacity: initial.count)
        surfaceOcean = Tensor(zeros: [plane])
        firstNonFinite = .allocate(capacity: shape[0])
        fluxes = Tensor(zeros: [c.fluxChannels, shape[1], shape[2]])
        lower = model.stateLower.indices.map { (model.stateLower[$0] - model.stateOffset[$0]) / model.stateScale[$0] }
        upper = model.stateUpper.indices.map { (model.stateUpper[$0] - model.stateOffset[$0]) / model.stateScale[$0] }
        let po = ocean, ps = state.pointer, pp = physical.pointer
        let offset = model.stateOffset, scale = model.stateScale, plane = plane, lower = lower, upper = upper
        pool.parallelFor(shape[0]) { channel, _ in
            let base = channel * plane
            for i in base..<(base + plane) {
                let v = pp[i], wet = !v.isNaN
                po[i] = wet ? 1 : 0
                ps[i] = wet ? min(max((v - offset[channel]) / scale[channel], lower[channel]), upper[channel]) : 0
                pp[i] = wet ? ps[i] * scale[channel] + offset[channel] : .nan
            }
        }
        let surface = ocean + model.channel(.thetao) * plane, sp = surfaceOcean.pointer
        for i in 0..<plane { sp[i] = Float(surface[i]) }
    }

    deinit {
        firstNonFinite.deallocate()
        ocean.deallocate()
    }

    /// The physical field of `channel` as `[H * W]` (a view).
    func channel(_ index: Int) -> Tensor { physical.reshaped(Dimensions(physical.count)).slice(0, (index * plane)..<((index + 1) * plane)) }

    /// Computes the day's bulk fluxes from the current state by the model's recipe and normalises them (land 0
    /// where the recipe says so or the flux is undefined, clipped to the model's flux range when it has one).
    /// Returns nothing;
    /// the next ``advance(day:)`` uses them.
    public func computeFluxes(atmosphere: AtmosphereDay) {
        let sst = channel(model.channel(.thetao)), us = channel(model.channel(.uo)), vs = channel(model.channel(.vo))
        BulkFluxes.compute(sst: sst, us: us, vs: vs, atmosphere: atmosphere, into: fluxes, recipe: model.fluxRecipe, pool: pool)
        let pf = fluxes.pointer, offset = model.fluxOffset, scale = model.fluxScale, plane = plane
        let lower = model.fluxRange?.lowerBound ?? -.infinity, upper = model.fluxRange?.upperBound ?? .infinity
        let land: Float = model.fluxRecipe.zeroOnLand ? 0 : 1, ocean = surfaceOcean.pointer
        pool.parallelFor(model.fluxOffset.count) { c, _ in
            for i in (c * plane)..<((c + 1) * plane) {
                let v = (pf[i] - offset[c]) / scale[c]
                pf[i] = v.isNaN || max(ocean[i - c * plane], land) == 0 ? 0 : min(max(v, lower), upper)
            }
        }
    }

    /// One day of the network: state = clip(ocean * (state + change)); the physical state follows (the change is
    /// written into the physical state's memory, which the day's fluxes no longer need). A change
    /// that is not finite at an ocean cell (weights or inputs far outside what the model knows) stops the
    /// forecast with ``ForecastError/nonFinite(day:channel:row:column:)`` instead of being clipped into the state.
    public func advance(day: Int) throws {
        try model.surrogate.forward(state: state, flux: fluxes, into: physical)
        let ps = state.pointer, pc = physical.pointer, po = ocean, pp = physical.pointer
        let offset = model.stateOffset, scale = model.stateScale, plane = plane, lower = lower, upper = upper
        let firstBad = firstNonFinite
        pool.parallelFor(state.shape[0]) { channel, _ in
            firstBad[channel] = -1
            for i in (channel * plane)..<((channel + 1) * plane) {
                let wet = po[i] > 0, sum = ps[i] + pc[i]
                if wet && !sum.isFinite && firstBad[channel] < 0 { firstBad[channel] = i - channel * plane }
                let v = min(max(sum, lower[channel]), upper[channel])
                ps[i] = wet ? v : 0
                pp[i] = wet ? v * scale[channel] + offset[channel] : .nan
            }
        }
        if let channel = (0..<state.shape[0]).first(where: { firstBad[$0] >= 0 }) {
            let width = state.shape[2], cell = firstBad[channel]
            throw ForecastError.nonFinite(day: day, channel: channel, row: cell / width, column: cell % width)
        }
    }

    /// Buffers for ``copyOutput(into:)``, allocated once per forecast.
    public func makeOutputBuffers() -> OutputBuffers {
        OutputBuffers(fields: Dictionary(uniqueKeysWithValues: OceanVariable.allCases.map { v in
            (v.rawValue, Tensor(zeros: [outputRange(v).count]))
        }))
    }

    /// Copies the physical state into `buffers` (no allocation): per variable `[levels, H, W]` (zos `[H, W]`),
    /// NaN on land, as the forecast writer takes it.
    public func copyOutput(into buffers: OutputBuffers) {
        for variable in OceanVariable.allCases {
            let range = outputRange(variable)
            buffers.fields[variable.rawValue]!.pointer.update(from: physical.pointer + range.lowerBound, count: range.count)
        }
    }

    private func outputRange(_ variable: OceanVariable) -> Range<Int> {
        let first = model.channel(variable) * plane, count = (variable.hasDepth ? model.levels.count : 1) * plane
        return first..<(first + count)
    }
}

/// One day of output per variable, in buffers that a forecast reuses day after day.
public struct OutputBuffers: @unchecked Sendable {
    /// `[levels * H * W]` (zos `[H * W]`) per variable name. `@unchecked Sendable`: a forecast fills them and
    /// encodes them on its own threads before the next day overwrites them.
    public let fields: [String: Tensor]

    /// The buffers as the forecast writer takes them.
    public var writerFields: [String: UnsafeMutableBufferPointer<Float>] {
        fields.mapValues { UnsafeMutableBufferPointer(start: $0.pointer, count: $0.count) }
    }
}
