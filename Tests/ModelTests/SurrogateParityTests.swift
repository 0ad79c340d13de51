import Foundation
import OceanGrid
import OceanStepper
import Surrogate
import Tensor
import TestSupport
import Testing

@Suite("Surrogate forward pass against the numpy reference and ONNX Runtime")
struct SurrogateParityTests {
    /// Largest |got - want| over the reference's largest magnitude.
    static func normalisedError(_ got: Tensor, _ want: Tensor) -> Double {
        let g = got.toArray(), w = want.toArray()
        precondition(g.count == w.count)
        let scale = w.map { abs(Double($0)) }.max() ?? 0
        let worst = zip(g, w).map { abs(Double($0) - Double($1)) }.max() ?? 0
        return scale > 0 ? worst / scale : worst
    }

    @Test("Swift forward matches numpy (float64) and ONNX Runtime within 1e-4 of the output's scale",
          .enabled(if: ModelFixtures.available, ModelFixtures.unavailableReason),
          arguments: ModelFixtures.names, [1, 2])
    func parity(name: String, threads: Int) throws {
        let folder = try ModelFixtures.folder(name)
        let model = try Surrogate(folder: folder, pool: ThreadPool(threads: threads))
        let state = try ModelFixtures.tensor(folder, "inputs.safetensors", "state")
        let flux = try ModelFixtures.tensor(folder, "inputs.safetensors", "flux")
        let change = Tensor(zeros: state.shape)
        change.fill(.nan)
        try model.forward(state: state, flux: flux, into: change)
        let numpy = try ModelFixtures.tensor(folder, "reference.safetensors", "change")
        let onnx = try ModelFixtures.tensor(folder, "onnxruntime.safetensors", "change")
        #expect(change.shape == numpy.shape)
        let toNumpy = Self.normalisedError(change, numpy), toONNX = Self.normalisedError(change, onnx)
        #expect(toNumpy <= 1e-4, "\(name), \(threads) threads: error \(toNumpy) against numpy")
        #expect(toONNX <= 1e-4, "\(name), \(threads) threads: error \(toONNX) against ONNX Runtime")
        // A second pass over the planned arena gives the same answer bit for bit.
        let again = Tensor(zeros: state.shape)
        try model.forward(state: state, flux: flux, into: again)
        #expect(again.toArray() == change.toArray(), "\(name): second pass differs")
    }
}
