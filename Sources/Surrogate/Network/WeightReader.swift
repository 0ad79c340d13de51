import OceanGrid
import Tensor

/// Reads a model's tensors by PyTorch name while the network is built, checking each against the shape the
/// configuration implies. Problems are collected, not thrown one by one: ``finish()`` reports every missing,
/// unexpected and misshaped tensor in one error. A tensor that is absent or misshaped is stood in for by
/// zeros so that building can go on to find the rest.
final class WeightReader {
    /// Storage types accepted for weights (converted to Float32 at load).
    static let dtypes: Set<String> = ["F32", "F16", "BF16"]

    let file: SafeTensorsFile
    /// The arithmetic the matrices are packed for.
    let precision: MatrixPrecision
    private var requested: Set<String> = []
    private var missing: [String] = []
    private var misshaped: [String] = []
    private var damaged: [SafeTensorsError] = []
    /// Parameters read so far.
    private(set) var parameterCount = 0

    init(file: SafeTensorsFile, precision: MatrixPrecision) {
        self.file = file
        self.precision = precision
    }

    /// The tensor `name`, which must have `shape`.
    func tensor(_ name: String, _ shape: Dimensions) -> Tensor {
        requested.insert(name)
        parameterCount += shape.product
        guard let entry = file.entries[name] else {
            missing.append(name)
            return Tensor(zeros: shape)
        }
        guard entry.shape.elementsEqual(shape) else {
            misshaped.append("\(name) is \(entry.shape), expected \(Array(shape))")
            return Tensor(zeros: shape)
        }
        guard Self.dtypes.contains(entry.dtype) else {
            misshaped.append("\(name) has dtype \(entry.dtype), expected one of F32, F16, BF16")
            return Tensor(zeros: shape)
        }
        do {
            return try file.tensor(name).reshaped(shape)
        } catch let error as SafeTensorsError {
            damaged.append(error)
            return Tensor(zeros: shape)
        } catch {
            damaged.append(.tensor(path: file.path, name: name, detail: "\(error)"))
            return Tensor(zeros: shape)
        }
    }

    /// The LayerNorm `prefix` (`prefix.weight`, `prefix.bias`) over `channels`.
    func layerNorm(_ prefix: String, channels: Int, epsilon: Float) -> LayerNorm {
        LayerNorm(gamma: tensor("\(prefix).weight", Dimensions(channels)), beta: tensor("\(prefix).bias", Dimensions(channels)),
                  epsilon: epsilon)
    }

    /// The Linear `prefix` from `input` to `output` features, with its bias unless `bias` is false.
    func linear(_ prefix: String, _ output: Int, _ input: Int, bias: Bool = true) -> Linear {
        Linear(pytorchWeight: tensor("\(prefix).weight", Dimensions(output, input)),
               bias: bias ? tensor("\(prefix).bias", Dimensions(output)) : nil, precision: precision)
    }

    /// Throws the collected problems: first any mismatch with the configuration, else the first damaged tensor.
    func finish() throws(SurrogateError) {
        let unexpected = Set(file.entries.keys).subtracting(requested).sorted()
        if !missing.isEmpty || !unexpected.isEmpty || !misshaped.isEmpty {
            throw .weights(path: file.path, missing: missing, unexpected: unexpected, misshaped: misshaped)
        }
        if let first = damaged.first {
            throw .damagedWeights(first)
        }
    }
}
