import ArgumentParser
import Foundation
import OceanGrid
import OceanStepper
import Surrogate
import Tensor

/// `forecastd model-info DIR`: what a model folder holds and what one forecast step costs.
struct ModelInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-info",
        abstract: "Describe a model folder: architecture, parameters, FLOPs and memory per forecast step on a grid.",
        discussion: """
            Loads and checks the weights, counts FLOPs per part of the network, and measures activation memory \
            by planning one forward pass on zero inputs (skip with --no-measure on a slow machine).
            """
    )

    @Argument(help: "The model folder (config.json, model.safetensors).")
    var folder: String

    @Option(help: "Grid as HEIGHTxWIDTH (default: the grid in config.json).")
    var grid: String?

    @Flag(inversion: .prefixedNo, help: "Measure activation memory by planning one forward pass.")
    var measure = true

    @OptionGroup var precision: PrecisionOption

    @OptionGroup var compute: ComputeOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try reportingFailures {
            let model = try Surrogate(folder: folder, pool: compute.pool, precision: precision.precision)
            let c = model.configuration
            let (height, width) = try GridOption.parse(grid) ?? (c.grid.height, c.grid.width)
            let cost = SurrogateCost(c, height: height, width: width)
            var activationBytes: Int?
            if measure {
                let change = Tensor(zeros: [c.stateChannels, height, width])
                try model.forward(state: Tensor(zeros: [c.stateChannels, height, width]),
                                  flux: Tensor(zeros: [c.fluxChannels, height, width]), into: change)
                activationBytes = model.activationFloats * MemoryLayout<Float>.size
            }
            let ioBytes = (2 * c.stateChannels + c.fluxChannels) * height * width * MemoryLayout<Float>.size
            let report = ModelReport(folder: folder, configuration: c, height: height, width: width, cost: cost,
                                     parameters: model.parameterCount, weightBytes: model.weightBytes,
                                     activationBytes: activationBytes, ioBytes: ioBytes, precision: model.precision,
                                     precisionSource: model.precisionSource)
            print(json ? report.json() : report.text())
        }
    }
}
