import OceanGrid
import Foundation
import Tensor

/// A model folder ready to forecast: the surrogate network plus what the forecast needs around it, read from
/// `config.json`'s `forecast` block and `normalization.safetensors`:
///
/// - the depth levels of the state channels, laid out as WenHai's: `uo[L], vo[L], thetao[L], so[L], zos`;
/// - per state channel, the normalisation `(x - offset) / scale` (min-max or z-score, both written this way)
///   and the physical clip range; per flux channel, its normalisation;
/// - the latitudes and longitudes of the grid the model was trained on;
/// - the bulk-flux recipe the model was trained with (`"fluxes"`, ``BulkFluxes/Recipe``; forecastd's by default)
///   and, optionally, the range normalised fluxes are clipped to (`"flux_range"`, WenHai's [0, 1]).
public struct ForecastModel: Sendable, OceanStateGrid {
    /// The network.
    public let surrogate: Surrogate
    /// The folder it came from.
    public let folder: String
    /// Depth of each level (m, positive down).
    public let levels: [Double]
    /// The ocean the model was trained on, when the folder ships `mask.safetensors`.
    let trainingMask: TrainingMask?
    /// How the statistics were made: "minmax" or "zscore" (both are applied as (x - offset) / scale).
    public let normalizationKind: String
    /// Per state channel: normalisation offset and scale, and the physical clip range.
    public let stateOffset: [Float], stateScale: [Float], stateLower: [Float], stateUpper: [Float]
    /// Per flux channel: normalisation offset and scale.
    public let fluxOffset: [Float], fluxScale: [Float]
    /// The fluxes the network was trained with.
    public let fluxRecipe: BulkFluxes.Recipe
    /// Normalised fluxes are clipped to this range, when the model says so.
    public let fluxRange: ClosedRange<Float>?
    /// The grid the model expects.
    public let latitudes: [Double], longitudes: [Double]

    /// Loads and cross-checks a model folder, its matrices packed for the precision `precision` resolves to
    /// (``Surrogate/precision(_:declared:path:)``).
    public init(folder: String, pool: ThreadPool = .shared, precision: PrecisionChoice? = nil) throws {
        self.folder = folder
        surrogate = try Surrogate(folder: folder, pool: pool, precision: precision)
        let configPath = (folder as NSString).appendingPathComponent("config.json")
        let block = try Self.forecastBlock(configPath)
        levels = block.levels
        normalizationKind = block.normalization
        fluxRecipe = block.recipe
        fluxRange = block.range
        let c = surrogate.configuration
        func bad(_ detail: String) -> SurrogateError { .configuration(path: configPath, detail: detail) }
        trainingMask = try TrainingMask.load(folder: folder, channels: c.stateChannels, height: c.grid.height, width: c.grid.width)
        guard !levels.isEmpty, 4 * levels.count + 1 == c.stateChannels else {
            throw bad("forecast.levels has \(levels.count) levels, but state_channels \(c.stateChannels) needs "
                      + "(state_channels - 1) / 4 levels (uo, vo, thetao, so on each, then zos)")
        }
        guard levels.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 12_000 }), zip(levels, levels.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw bad("forecast.levels must be depths in m, 0 to 12000, strictly increasing; got \(levels)")
        }
        guard c.fluxChannels == BulkFluxes.channels.count else {
            throw bad("flux_channels is \(c.fluxChannels); the forecast computes the \(BulkFluxes.channels.count) "
                      + "bulk-flux channels \(BulkFluxes.channels.joined(separator: ", "))")
        }
        let path = (folder as NSString).appendingPathComponent("normalization.safetensors")
        guard FileManager.default.fileExists(atPath: path) else { throw SurrogateError.missing(path: path) }
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(path: path) } catch let error as SafeTensorsError {
            throw SurrogateError.damagedWeights(error)
        }
        func vector(_ name: String, _ count: Int?) throws -> [Float] {
            guard let entry = file.entries[name] else {
                throw SurrogateError.weights(path: path, missing: [name], unexpected: [], misshaped: [])
            }
            if let count, entry.shape != [count] {
                throw SurrogateError.weights(path: path, missing: [], unexpected: [],
                                             misshaped: ["\(name) is \(entry.shape), expected [\(count)]"])
            }
            do { return try file.tensor(name).toArray() } catch let error as SafeTensorsError {
                throw SurrogateError.damagedWeights(error)
            }
        }
        stateOffset = try vector("state_offset", c.stateChannels)
        stateScale = try vector("state_scale", c.stateChannels)
        stateLower = try vector("state_lower", c.stateChannels)
        stateUpper = try vector("state_upper", c.stateChannels)
        fluxOffset = try vector("flux_offset", c.fluxChannels)
        fluxScale = try vector("flux_scale", c.fluxChannels)
        // Coordinates are stored as float64; read them at full precision.
        latitudes = try Self.doubles(file, "latitude", path: path)
        longitudes = try Self.doubles(file, "longitude", path: path)
        for (name, values) in [("state_offset", stateOffset), ("state_lower", stateLower), ("state_upper", stateUpper),
                               ("flux_offset", fluxOffset)] where values.contains(where: { !$0.isFinite }) {
            throw SurrogateError.damagedWeights(.tensor(path: path, name: name, detail: "holds a non-finite value"))
        }
        if let channel = stateLower.indices.first(where: { !(stateLower[$0] < stateUpper[$0]) }) {
            throw SurrogateError.damagedWeights(.tensor(path: path, name: "state_lower", detail: "channel \(channel): lower bound "
                                                        + "\(stateLower[channel]) is not below state_upper's \(stateUpper[channel])"))
        }
        if let zero = (stateScale + fluxScale).firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw SurrogateError.damagedWeights(.tensor(path: path, name: zero < stateScale.count ? "state_scale" : "flux_scale",
                                                        detail: "scales must be positive"))
        }
        guard latitudes.count == c.grid.height, longitudes.count == c.grid.width else {
            throw bad("grid \(c.grid.height)x\(c.grid.width) but normalization.safetensors has \(latitudes.count) "
                      + "latitudes and \(longitudes.count) longitudes")
        }
    }


    private struct Block: Decodable {
        var levels: [Double]
        var normalization: String
        var fluxes: String?
        var fluxRange: [Float]?

        enum CodingKeys: String, CodingKey { case levels, normalization, fluxes, fluxRange = "flux_range" }

        var recipe: BulkFluxes.Recipe { fluxes.flatMap(BulkFluxes.Recipe.init(rawValue:)) ?? .forecastd }
        var range: ClosedRange<Float>? { fluxRange.map { $0[0]...$0[1] } }
    }

    private static func forecastBlock(_ path: String) throws -> Block {
        struct Wrapper: Decodable { var forecast: Block? }
        guard let data = FileManager.default.contents(atPath: path) else { throw SurrogateError.missing(path: path) }
        guard let block = (try? JSONDecoder().decode(Wrapper.self, from: data))?.forecast else {
            throw SurrogateError.configuration(path: path, detail: "no 'forecast' block with 'levels' (depths in m) and "
                                                   + "'normalization' (minmax or zscore): this folder has a network but not what a forecast needs")
        }
        guard ["minmax", "zscore"].contains(block.normalization) else {
            throw SurrogateError.configuration(path: path, detail: "forecast.normalization is '\(block.normalization)', expected minmax or zscore")
        }
        if let recipe = block.fluxes, BulkFluxes.Recipe(rawValue: recipe) == nil {
            throw SurrogateError.configuration(path: path, detail: "forecast.fluxes is '\(recipe)', a flux recipe forecastd does not "
                                                   + "compute (it computes \(BulkFluxes.Recipe.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let range = block.fluxRange, !(range.count == 2 && range.allSatisfy(\.isFinite) && range[0] < range[1]) {
            throw SurrogateError.configuration(path: path, detail: "forecast.flux_range is \(range), expected [lower, upper] with lower below upper")
        }
        return block
    }

    /// A coordinate vector (Float32 holds any 1/12-degree coordinate to better than 1e-5 degrees, well within
    /// the grid check's 1e-4).
    private static func doubles(_ file: SafeTensorsFile, _ name: String, path: String) throws -> [Double] {
        guard let entry = file.entries[name], entry.shape.count == 1 else {
            throw SurrogateError.weights(path: path, missing: [name], unexpected: [], misshaped: [])
        }
        return try file.tensor(name, requireFinite: true).toArray().map(Double.init)
    }
}
