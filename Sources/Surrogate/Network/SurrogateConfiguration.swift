import OceanGrid
import Foundation
import Tensor

/// The surrogate's hyperparameters, read from a model folder's `config.json` (keys as in the Python tools;
/// unknown keys, such as the variable list used by the forecast pipeline, are left to their readers).
///
/// Stage `i` of the Swin body works at `embedDim * 2^i` channels on a token grid halved `i` times; with one
/// stage there is no patch merging, expanding or skip connection.
public struct SurrogateConfiguration: Codable, Sendable, Equatable {
    /// Grid the model was built for (height, width); the forward pass accepts any grid.
    public struct Grid: Codable, Sendable, Equatable {
        public var height: Int
        public var width: Int

        public init(height: Int, width: Int) {
            self.height = height
            self.width = width
        }
    }

    public var grid: Grid
    /// Ocean state channels in and change channels out.
    public var stateChannels: Int
    /// Surface flux channels in.
    public var fluxChannels: Int
    /// Patch size p of the convolutional embedding (kernel = stride = p).
    public var patchSize: Int
    /// Channels of the first stage.
    public var embedDim: Int
    /// Swin blocks per stage.
    public var depths: [Int]
    /// Attention heads per stage.
    public var numHeads: [Int]
    /// Attention window side in tokens.
    public var windowSize: Int
    /// MLP hidden width as a multiple of the stage's channels.
    public var mlpRatio: Double
    /// Groups of every GroupNorm.
    public var groupNormGroups: Int
    /// Epsilon of every LayerNorm and GroupNorm.
    public var normEps: Float
    /// The precision the model was validated in (`"precision": "fp32" | "bf16"`), used when the user does not choose.
    public var precision: MatrixPrecision?

    enum CodingKeys: String, CodingKey {
        case grid, stateChannels = "state_channels", fluxChannels = "flux_channels", patchSize = "patch_size"
        case embedDim = "embed_dim", depths, numHeads = "num_heads", windowSize = "window_size"
        case mlpRatio = "mlp_ratio", groupNormGroups = "group_norm_groups", normEps = "norm_eps", precision
    }

    /// A configuration; `mlpRatio`, `groupNormGroups` and `normEps` default to 4, 32 and 1e-5.
    public init(grid: Grid, stateChannels: Int, fluxChannels: Int, patchSize: Int, embedDim: Int, depths: [Int],
                numHeads: [Int], windowSize: Int, mlpRatio: Double = 4, groupNormGroups: Int = 32,
                normEps: Float = 1e-5) {
        self.grid = grid
        self.stateChannels = stateChannels
        self.fluxChannels = fluxChannels
        self.patchSize = patchSize
        self.embedDim = embedDim
        self.depths = depths
        self.numHeads = numHeads
        self.windowSize = windowSize
        self.mlpRatio = mlpRatio
        self.groupNormGroups = groupNormGroups
        self.normEps = normEps
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(grid: try c.decode(Grid.self, forKey: .grid),
                  stateChannels: try c.decode(Int.self, forKey: .stateChannels),
                  fluxChannels: try c.decode(Int.self, forKey: .fluxChannels),
                  patchSize: try c.decode(Int.self, forKey: .patchSize),
                  embedDim: try c.decode(Int.self, forKey: .embedDim),
                  depths: try c.decode([Int].self, forKey: .depths),
                  numHeads: try c.decode([Int].self, forKey: .numHeads),
                  windowSize: try c.decode(Int.self, forKey: .windowSize),
                  mlpRatio: try c.decodeIfPresent(Double.self, forKey: .mlpRatio) ?? 4,
                  groupNormGroups: try c.decodeIfPresent(Int.self, forKey: .groupNormGroups) ?? 32,
                  normEps: try c.decodeIfPresent(Float.self, forKey: .normEps) ?? 1e-5)
        if let declared = try c.decodeIfPresent(String.self, forKey: .precision) {
            guard let precision = MatrixPrecision(rawValue: declared) else {
                throw DecodingError.dataCorruptedError(forKey: .precision, in: c, debugDescription:
                    "'\(declared)' is not a precision forecastd computes in (\(MatrixPrecision.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            self.precision = precision
        }
    }

    /// Reads and validates `config.json` in `folder`.
    public static func load(folder: String) throws -> SurrogateConfiguration {
        let path = (folder as NSString).appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: path) else { throw SurrogateError.missing(path: path) }
        let configuration: SurrogateConfiguration
        do {
            configuration = try JSONDecoder().decode(SurrogateConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw SurrogateError.configuration(path: path, detail: Self.describe(error))
        }
        if let problem = configuration.problem {
            throw SurrogateError.configuration(path: path, detail: problem)
        }
        return configuration
    }

    /// Channels of each stage.
    public var stageDims: [Int] { depths.indices.map { embedDim << $0 } }
    /// MLP hidden width at `dim` channels.
    public func hidden(_ dim: Int) -> Int { Int(Double(dim) * mlpRatio) }
    /// Inputs are zero-padded (bottom, right) to a multiple of this: 2 * patch * window * 2^(stages - 1).
    public var padMultiple: Int { 2 * patchSize * windowSize << (depths.count - 1) }
    /// The padded size of a `height` x `width` grid.
    public func paddedSize(height: Int, width: Int) -> (height: Int, width: Int) {
        let m = padMultiple
        return ((height + m - 1) / m * m, (width + m - 1) / m * m)
    }

    /// The largest value each size may take: far above WenHai's (grid 2041 x 4320, 93 + 8 channels, patch 4-16,
    /// dim 768, window 7-8), low enough that no product of them overflows and a misspelt value is refused
    /// before any memory is taken for it.
    static let limits: [String: Int] = ["grid.height": 20_000, "grid.width": 40_000, "state_channels": 1_024,
                                        "flux_channels": 64, "patch_size": 32, "embed_dim": 2_048, "window_size": 32,
                                        "group_norm_groups": 2_048]
    static let maxBlocksPerStage = 48
    static let maxMLPRatio = 16.0

    /// A lower bound of the memory, in bytes, one forward pass on the configured grid needs beside the weights:
    /// the input planes, and the widest activation of the first stage (the MLP's hidden layer) held as a layer's
    /// input and output, in float32. A forward pass takes more; a machine with less cannot run it.
    public var minimumActivationBytes: Double {
        let padded = paddedSize(height: grid.height, width: grid.width)
        let tokens = Double(padded.height / patchSize) * Double(padded.width / patchSize)
        let inputs = Double(padded.height) * Double(padded.width) * Double(stateChannels + fluxChannels)
        return 4 * (inputs + 2 * tokens * Double(max(hidden(embedDim), embedDim)))
    }

    /// What makes this configuration unusable, or nil.
    public var problem: String? {
        let positive: [(String, Int)] = [("grid.height", grid.height), ("grid.width", grid.width),
                                         ("state_channels", stateChannels), ("flux_channels", fluxChannels),
                                         ("patch_size", patchSize), ("embed_dim", embedDim),
                                         ("window_size", windowSize), ("group_norm_groups", groupNormGroups)]
        if let (name, value) = positive.first(where: { $0.1 <= 0 }) { return "\(name) is \(value), must be positive" }
        for (name, value) in positive where value > Self.limits[name]! {
            return "\(name) is \(value), above the largest this runtime takes (\(Self.limits[name]!))"
        }
        if depths.isEmpty || depths.count > 4 { return "depths has \(depths.count) stages, must have 1 to 4" }
        if depths.contains(where: { $0 <= 0 || $0 > Self.maxBlocksPerStage }) {
            return "depths \(depths) must all be 1 to \(Self.maxBlocksPerStage)"
        }
        if !(mlpRatio > 0 && mlpRatio <= Self.maxMLPRatio) { return "mlp_ratio \(mlpRatio) must be above 0 and at most \(Self.maxMLPRatio)" }
        if numHeads.count != depths.count { return "num_heads \(numHeads) must give one count per stage of depths \(depths)" }
        for (dim, heads) in zip(stageDims, numHeads) where heads <= 0 || dim % heads != 0 {
            return "\(dim) channels do not split into \(heads) heads"
        }
        if embedDim % groupNormGroups != 0 { return "embed_dim \(embedDim) does not split into \(groupNormGroups) groups" }
        if windowSize < 2 { return "window_size \(windowSize) must be at least 2 (shifted windows move by half)" }
        if hidden(embedDim) == 0 { return "mlp_ratio \(mlpRatio) gives no hidden channels" }
        if !(normEps > 0) { return "norm_eps \(normEps) must be positive" }
        return nil
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing key '\(parent.isEmpty ? "" : parent + ".")\(key.stringValue)'"
        case .typeMismatch(let type, let context): return "'\(path(context))' is not \(type)"
        case .valueNotFound(let type, let context): return "'\(path(context))' is null, expected \(type)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "'\(path(context))': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
