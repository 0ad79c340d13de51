import Foundation
import OceanGrid
import OceanStepper
import Surrogate
import Tensor

/// A model folder as `forecastd model-info` shows it. JSON keys are the property names.
struct ModelReport: JSONReport {
    struct Part: Encodable {
        var name: String
        var gflops: Double
        var share: Double
    }

    var folder: String
    var configuration: SurrogateConfiguration
    var grid: [Int]
    var paddedGrid: [Int]
    var tokensPerStage: [Int]
    var parameters: Int
    var weightBytes: Int
    /// Measured by planning one forward pass; nil with --no-measure.
    var activationBytes: Int?
    /// State, flux and change fields of one step.
    var ioBytes: Int
    var gflopsPerStep: Double
    var gflopsPer15Days: Double
    var parts: [Part]
    /// This processor's instruction path and features.
    var processor = ProcessorCapabilities.current.report
    /// The precision a forecast with this model computes in (`--precision` or the default), and why.
    var precision: String
    var precisionSource: String

    init(folder: String, configuration: SurrogateConfiguration, height: Int, width: Int, cost: SurrogateCost,
         parameters: Int, weightBytes: Int, activationBytes: Int?, ioBytes: Int, precision: MatrixPrecision, precisionSource: String) {
        self.folder = folder
        self.configuration = configuration
        grid = [height, width]
        paddedGrid = [cost.paddedHeight, cost.paddedWidth]
        tokensPerStage = cost.tokensPerStage
        self.parameters = parameters
        self.weightBytes = weightBytes
        self.activationBytes = activationBytes
        self.ioBytes = ioBytes
        self.precision = precision.rawValue
        self.precisionSource = precisionSource
        gflopsPerStep = cost.flops / 1e9
        gflopsPer15Days = 15 * cost.flops / 1e9
        parts = cost.parts.map { Part(name: $0.name, gflops: $0.flops / 1e9, share: $0.flops / cost.flops) }
    }

    func text() -> String {
        let c = configuration
        func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        var lines = [
            "\(folder)",
            "architecture: WenHai-style Swin surrogate",
            "  state channels \(c.stateChannels), flux channels \(c.fluxChannels), patch \(c.patchSize), "
                + "embed dim \(c.embedDim), window \(c.windowSize), MLP ratio \(c.mlpRatio), GroupNorm groups \(c.groupNormGroups)",
            "  stages: depths \(c.depths), heads \(c.numHeads), dims \(c.stageDims)",
            "grid \(grid[0])x\(grid[1]), padded to \(paddedGrid[0])x\(paddedGrid[1]) (multiple of \(c.padMultiple)); "
                + "tokens per stage \(tokensPerStage)",
            "parameters: \(parameters) (\(mib(weightBytes)) as float32)",
            String(format: "FLOPs per step: %.2f GFLOP (%.1f GFLOP for 15 days)", gflopsPerStep, gflopsPer15Days),
        ]
        for part in parts {
            lines.append("  " + part.name.padding(toLength: 28, withPad: " ", startingAt: 0)
                         + String(format: "%10.3f GFLOP  %5.1f%%", part.gflops, 100 * part.share))
        }
        let activations = activationBytes.map(mib) ?? "not measured (--no-measure)"
        lines.append("memory per step: weights \(mib(weightBytes)), activations \(activations), inputs and output \(mib(ioBytes))")
        lines.append("processor: \(processor)")
        lines.append("precision: \(precision) (\(precisionSource))")
        return lines.joined(separator: "\n")
    }
}
