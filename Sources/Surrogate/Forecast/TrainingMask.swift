import Foundation
import Tensor

/// The ocean a model was trained on: `mask.safetensors` beside the weights, tensor `ocean` (U8, 1 over the
/// ocean) shaped `[state channels, height, width]`, as training writes it, read in place from the file's mapping
/// (at WenHai's published size a Float32 copy would hold 3.3 GB for the whole forecast). Optional: a folder without it
/// forecasts where the initial state has values. When present it must be whole, and an initial state whose
/// ocean differs from it is said in the log (the network never learnt those cells).
struct TrainingMask: @unchecked Sendable {
    /// The mapped file, which keeps ``ocean`` valid. `@unchecked Sendable`: read only.
    private let file: SafeTensorsFile
    /// Non-zero over the ocean, 0 on land, `[channels, height, width]`.
    private let ocean: UnsafeRawBufferPointer

    /// The mask of `folder`, nil when it has none; a damaged or misshaped file is an error naming it.
    static func load(folder: String, channels: Int, height: Int, width: Int) throws -> TrainingMask? {
        let path = (folder as NSString).appendingPathComponent("mask.safetensors")
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let file = try SafeTensorsFile(path: path)
            guard let entry = file.entries["ocean"] else {
                throw SurrogateError.weights(path: path, missing: ["ocean"], unexpected: [], misshaped: [])
            }
            guard entry.shape == [channels, height, width] else {
                throw SurrogateError.weights(path: path, missing: [], unexpected: [],
                                             misshaped: ["ocean is \(entry.shape), expected [\(channels), \(height), \(width)]"])
            }
            return TrainingMask(file: file, ocean: try file.bytes("ocean"))
        } catch let error as SafeTensorsError {
            throw SurrogateError.damagedWeights(error)
        }
    }

    /// A note for the log when `state` (NaN on land) has its ocean elsewhere than the mask: the number of cells
    /// of each kind; nil when they agree.
    func disagreement(with state: Tensor, path: String) -> String? {
        var wetOnLand = 0, dryInOcean = 0
        for i in 0..<min(state.count, ocean.count) {
            let wet = !state.pointer[i].isNaN, trained = ocean[i] != 0
            if wet && !trained { wetOnLand += 1 }
            if !wet && trained { dryInOcean += 1 }
        }
        guard wetOnLand + dryInOcean > 0 else { return nil }
        return "warning: \(path): \(wetOnLand) cells hold ocean where the model's mask.safetensors has land, and "
            + "\(dryInOcean) are land where it has ocean: the network was not trained on that coastline"
    }
}
