import OceanGrid
import Foundation
import Tensor

/// The WenHai-style surrogate: from an ocean state `[S, H, W]` and surface fluxes `[F, H, W]` (both
/// normalised, channels-first as read from NetCDF) to the daily change of every state channel `[S, H, W]`.
///
/// Architecture (``SurrogateConfiguration``): each input gets a convolutional patch embedding (kernel = stride
/// = p) and a stride-2 residual conv block; the two are summed; Swin stages (window attention with relative
/// position bias, shifted windows on odd blocks, GELU MLP), with patch merging, expanding and summed skip
/// connections when there is more than one stage; a final LayerNorm; a transposed-conv residual up-block; a
/// Linear to S * p * p channels and a pixel shuffle. Inputs are zero-padded (bottom, right) to a multiple of
/// ``SurrogateConfiguration/padMultiple`` and the output cropped back; both are implicit in the first and
/// last layers.
///
/// Weights come from `model.safetensors` (PyTorch names and layouts) and are converted once at load.
/// Activations live in an arena planned by the first forward pass; later passes allocate nothing.
/// `@unchecked Sendable`: the layers are immutable after init and ``forward(state:flux:into:)`` holds a lock
/// around the arena, so concurrent callers take turns.
public final class Surrogate: @unchecked Sendable {
    /// The hyperparameters.
    public let configuration: SurrogateConfiguration
    /// Learned parameters in the weights file.
    public let parameterCount: Int
    /// Bytes the converted weights occupy in memory.
    public let weightBytes: Int
    /// The arithmetic of the matrix products.
    public let precision: MatrixPrecision
    /// Why: "asked for", "auto on avx512-bf16", "declared by config.json" or "the default".
    public private(set) var precisionSource = "asked for"

    private let stateEmbed: PatchEmbedding
    private let fluxEmbed: PatchEmbedding
    private let stateDown: ResidualConvBlock
    private let fluxDown: ResidualConvBlock
    private let encoder: [[SwinBlock]]
    private let merges: [PatchMerging]
    private let expands: [PatchExpanding]
    private let decoder: [[SwinBlock]]
    private let norm: LayerNorm
    private let up: ResidualConvBlock
    private let head: OutputHead
    private let context: ExecutionContext
    /// Encoder outputs kept for the decoder; capacity reserved at init so passes do not allocate.
    private var skips: [Tensor] = []
    private var profile = SurrogateProfile()
    private let lock = NSLock()

    /// Refuses, before anything is allocated, a configuration whose forward pass cannot fit in this machine's
    /// memory, with the figures: the weights file plus ``SurrogateConfiguration/minimumActivationBytes``.
    static func requireMemory(_ c: SurrogateConfiguration, weights path: String) throws {
        let weights = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        let needed = weights + c.minimumActivationBytes, available = Double(ProcessInfo.processInfo.physicalMemory)
        guard needed > available else { return }
        func gib(_ bytes: Double) -> String { String(format: "%.1f GiB", bytes / 1_073_741_824) }
        throw SurrogateError.configuration(path: path, detail: """
            a forward pass on the \(c.grid.height)x\(c.grid.width) grid needs at least \(gib(needed)) (weights \(gib(weights)), \
            activations \(gib(c.minimumActivationBytes))), more than this machine's \(gib(available)) of memory
            """)
    }

    /// Loads `config.json` and `model.safetensors` from a model folder, for products in the precision `choice`
    /// resolves to on this processor; without a choice, the one `config.json` declares, else fp32.
    public convenience init(folder: String, pool: ThreadPool = .shared, precision choice: PrecisionChoice? = nil) throws {
        let configuration = try SurrogateConfiguration.load(folder: folder)
        let (precision, source) = try Self.precision(choice, declared: configuration.precision)
        try self.init(configuration: configuration,
                      weights: (folder as NSString).appendingPathComponent("model.safetensors"), pool: pool, precision: precision)
        precisionSource = source
    }

    /// The precision a forecast computes in, and why: the user's `choice`, else the model's `declared` one, else
    /// fp32; resolved on this process's instruction path (bf16 refused where it has no bf16 instructions).
    public static func precision(_ choice: PrecisionChoice?, declared: MatrixPrecision?,
                                 path: InstructionPath = ProcessorCapabilities.taken) throws(PrecisionError) -> (MatrixPrecision, String) {
        let source = switch (choice, declared) {
        case (.auto?, _): "auto on instruction path \(path)"
        case (_?, _): "asked for"
        case (nil, _?): "declared by config.json"
        case (nil, nil): "the default"
        }
        return (try (choice ?? declared.flatMap { PrecisionChoice(rawValue: $0.rawValue) } ?? .fp32).resolve(on: path), source)
    }

    /// Builds the network of `configuration` from the safetensors file at `weights`. Every tensor is checked
    /// for presence, shape and dtype; all mismatches are reported in one ``SurrogateError/weights(path:missing:unexpected:misshaped:)``.
    public init(configuration c: SurrogateConfiguration, weights path: String, pool: ThreadPool = .shared,
                precision: MatrixPrecision = .fp32) throws {
        if let problem = c.problem { throw SurrogateError.configuration(path: path, detail: problem) }
        try Self.requireMemory(c, weights: path)
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(path: path) } catch let error as SafeTensorsError {
            throw SurrogateError.damagedWeights(error)
        }
        let w = WeightReader(file: file, precision: precision)
        let d = c.embedDim, dims = c.stageDims, eps = c.normEps, groups = c.groupNormGroups
        func stage(_ prefix: String, _ i: Int) -> [SwinBlock] {
            (0..<c.depths[i]).map { b in
                SwinBlock(w, "\(prefix).blocks.\(b)", dim: dims[i], hidden: c.hidden(dims[i]), heads: c.numHeads[i],
                          window: c.windowSize, shifted: b % 2 == 1, epsilon: eps)
            }
        }
        stateEmbed = PatchEmbedding(w, "state_embed", inChannels: c.stateChannels, outChannels: d, patch: c.patchSize)
        stateDown = .down(w, "state_down", channels: d, groups: groups, epsilon: eps)
        fluxEmbed = PatchEmbedding(w, "flux_embed", inChannels: c.fluxChannels, outChannels: d, patch: c.patchSize)
        fluxDown = .down(w, "flux_down", channels: d, groups: groups, epsilon: eps)
        var encoder: [[SwinBlock]] = [], merges: [PatchMerging] = []
        for i in dims.indices {
            encoder.append(stage("layers.\(i)", i))
            if i < dims.count - 1 { merges.append(PatchMerging(w, "layers.\(i).downsample", dim: dims[i], epsilon: eps)) }
        }
        var expands: [PatchExpanding] = [], decoder: [[SwinBlock]] = []
        for i in (0..<(dims.count - 1)).reversed() {
            expands.append(PatchExpanding(w, "layers_up.\(i).upsample", dim: dims[i + 1], epsilon: eps))
            decoder.append(stage("layers_up.\(i)", i))
        }
        self.encoder = encoder
        self.merges = merges
        self.expands = expands.reversed()
        self.decoder = decoder.reversed()
        norm = w.layerNorm("norm", channels: d, epsilon: eps)
        up = .up(w, "up", channels: d, groups: groups, epsilon: eps)
        head = OutputHead(w, "head", dim: d, outChannels: c.stateChannels, patch: c.patchSize)
        try w.finish()
        configuration = c
        parameterCount = w.parameterCount
        weightBytes = w.parameterCount * MemoryLayout<Float>.size
        self.precision = precision
        context = ExecutionContext(pool: pool)
        skips.reserveCapacity(dims.count)
    }

    /// Floats of activation memory the last forward pass planned (0 before the first).
    public var activationFloats: Int { lock.withLock { context.arena.peakUsage } }

    /// change = network(state, flux). `state` is `[S, H, W]`, `flux` `[F, H, W]`, `change` `[S, H, W]`, all
    /// contiguous; any H and W (the padding adapts). Or an ensemble's `N` members at once, `[N, S, H, W]`,
    /// `[N, F, H, W]` -> `[N, S, H, W]`: every matrix product sees the rows of all members (the weights are read
    /// once for all of them), while attention windows, convolution padding and GroupNorm statistics stay within
    /// each member, so member k's change is the one it would get alone. The first call on a grid and member
    /// count plans the arena.
    public func forward(state: Tensor, flux: Tensor, into change: Tensor) throws(SurrogateError) {
        let c = configuration
        guard state.rank == 3 || state.rank == 4, state.shape[state.rank - 3] == c.stateChannels, state.isContiguous else {
            throw .input(detail: "state is \(Array(state.shape)), expected [\(c.stateChannels), height, width] or [members, \(c.stateChannels), height, width]")
        }
        let members = state.rank == 4 ? state.shape[0] : 1
        let height = state.shape[state.rank - 2], width = state.shape[state.rank - 1]
        let fluxShape = state.rank == 4 ? Dimensions(members, c.fluxChannels, height, width) : Dimensions(c.fluxChannels, height, width)
        guard flux.shape == fluxShape, flux.isContiguous else {
            throw .input(detail: "flux is \(Array(flux.shape)), expected \(Array(fluxShape))")
        }
        guard change.shape == state.shape, change.isContiguous else {
            throw .input(detail: "change is \(Array(change.shape)), expected \(Array(state.shape))")
        }
        guard height > 0, width > 0, members > 0 else { throw .input(detail: "the grid \(height)x\(width) of \(members) members is empty") }
        func batch(_ t: Tensor) -> Tensor { t.rank == 4 ? t : t.reshaped(Dimensions(1, t.shape[0], t.shape[1], t.shape[2])) }
        lock.withLock { run(batch(state), batch(flux), batch(change)) }
    }

    /// The pass over `[N, S, H, W]` inputs.
    private func run(_ state: Tensor, _ flux: Tensor, _ change: Tensor) {
        let c = configuration, d = c.embedDim, dims = c.stageDims, n = state.shape[0]
        let padded = c.paddedSize(height: state.shape[2], width: state.shape[3])
        let ph = padded.height / c.patchSize, pw = padded.width / c.patchSize
        let h = ph / 2, w = pw / 2, arena = context.arena
        arena.reset()
        var clock = profile.start()
        let patches = arena.tensor(Dimensions(n, ph, pw, d))
        let x = arena.tensor(Dimensions(n, h, w, d)), other = arena.tensor(Dimensions(n, h, w, d))
        for m in 0..<n { stateEmbed(state.subtensor(m), into: patches.subtensor(m), context: context) }
        profile.record(.patchEmbedding, since: &clock)
        stateDown(patches, into: x, context: context)
        profile.record(.downBlocks, since: &clock)
        for m in 0..<n { fluxEmbed(flux.subtensor(m), into: patches.subtensor(m), context: context) }
        profile.record(.patchEmbedding, since: &clock)
        fluxDown(patches, into: other, context: context)
        Elementwise.add(x, other, into: x, pool: context.pool)
        profile.record(.downBlocks, since: &clock)

        // Swin body: encoder stages keep their output as the skip of the decoder stage at that resolution. The
        // members' grids are stacked row-wise: merging and expanding never cross a member's edge (its height is
        // even at every stage), windows are kept within each member by the geometry.
        var tokens = x.reshaped(Dimensions(n * h * w, d))
        skips.removeAll(keepingCapacity: true)
        for i in dims.indices {
            let sh = h >> i, sw = w >> i
            for block in encoder[i] { block(tokens, height: sh, width: sw, images: n, context: context) }
            if i < dims.count - 1 {
                skips.append(tokens)
                let merged = arena.tensor(Dimensions(n * (sh / 2) * (sw / 2), dims[i + 1]))
                merges[i](tokens, height: n * sh, width: sw, into: merged, context: context)
                tokens = merged
            }
        }
        for i in (0..<(dims.count - 1)).reversed() {
            expands[i](tokens, height: n * (h >> (i + 1)), width: w >> (i + 1), addingTo: skips[i], context: context)
            tokens = skips[i]
            for block in decoder[i] { block(tokens, height: h >> i, width: w >> i, images: n, context: context) }
        }
        norm(tokens, into: tokens, context: context)
        profile.record(.swinStages, since: &clock)

        up(tokens.reshaped(Dimensions(n, h, w, d)), into: patches, context: context)
        profile.record(.upBlock, since: &clock)
        for m in 0..<n { head(patches.subtensor(m), into: change.subtensor(m), context: context) }
        profile.record(.outputHead, since: &clock)
        profile.passes += 1
    }

    /// Seconds spent in each part of the network, summed over the passes since ``resetProfile()``.
    public var partSeconds: (parts: [SurrogateProfile.Part: Double], passes: Int) {
        lock.withLock { (profile.seconds, profile.passes) }
    }

    /// Starts timing the parts of later passes from zero.
    public func resetProfile() { lock.withLock { profile = SurrogateProfile() } }
}
