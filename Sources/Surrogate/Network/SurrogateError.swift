import OceanGrid
import Tensor

/// Why a surrogate model cannot be loaded or run. Every case names the file and what was wrong.
public enum SurrogateError: Error, CustomStringConvertible, Equatable {
    /// A model file (`config.json`) does not exist or cannot be read.
    case missing(path: String)
    /// `config.json` is missing, not JSON, or describes an impossible network.
    case configuration(path: String, detail: String)
    /// The weights file does not match the configuration: every missing, unexpected and misshaped tensor.
    case weights(path: String, missing: [String], unexpected: [String], misshaped: [String])
    /// The weights file itself is damaged or holds unusable values (non-finite weights included).
    case damagedWeights(SafeTensorsError)
    /// An input to the forward pass has the wrong shape.
    case input(detail: String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "\(path): no such file, or not readable (a model folder holds config.json and model.safetensors)"
        case .configuration(let path, let detail):
            return "\(path): \(detail)"
        case .weights(let path, let missing, let unexpected, let misshaped):
            var lines = ["\(path): the weights do not match config.json"]
            if !missing.isEmpty { lines.append("  missing (\(missing.count)): " + missing.joined(separator: ", ")) }
            if !unexpected.isEmpty { lines.append("  unexpected (\(unexpected.count)): " + unexpected.joined(separator: ", ")) }
            if !misshaped.isEmpty { lines.append("  misshaped (\(misshaped.count)): " + misshaped.joined(separator: "; ")) }
            return lines.joined(separator: "\n")
        case .damagedWeights(let error):
            return error.description
        case .input(let detail):
            return "surrogate input: \(detail)"
        }
    }
}
