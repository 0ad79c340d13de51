import OceanGrid
import Surrogate
import Tensor
import TestSupport
import Testing

/// An ensemble's members through the network in one pass: member k's change must be the one it gets alone.
@Suite("Surrogate with a member dimension")
struct EnsembleNetworkTests {
    /// `members` different states and fluxes (uniform noise of their own seeds) stacked as `[N, C, H, W]`.
    static func members(_ count: Int, channels: Int, height: Int, width: Int, seed: UInt64) -> Tensor {
        let batch = Tensor(zeros: [count, channels, height, width])
        for m in 0..<count {
            RandomTensor.uniform([channels, height, width], seed: seed + UInt64(m)).copy(to: batch.subtensor(m))
        }
        return batch
    }

    /// The batched pass against each member alone, value for value; `tolerance` 0 asks for identical floats.
    static func compare(_ model: Surrogate, members n: Int, height: Int, width: Int, tolerance: Float) throws {
        let c = model.configuration
        let state = members(n, channels: c.stateChannels, height: height, width: width, seed: 11)
        let flux = members(n, channels: c.fluxChannels, height: height, width: width, seed: 101)
        let change = Tensor(zeros: state.shape)
        try model.forward(state: state, flux: flux, into: change)
        for m in 0..<n {
            let alone = Tensor(zeros: [c.stateChannels, height, width])
            try model.forward(state: state.subtensor(m).contiguous(), flux: flux.subtensor(m).contiguous(), into: alone)
            let batched = change.subtensor(m).toArray(), single = alone.toArray()
            let worst = zip(batched, single).map { abs($0 - $1) }.max() ?? .infinity
            let scale = single.map(abs).max() ?? 0
            #expect(scale > 0 && worst <= tolerance * scale,
                    "member \(m) of \(n): batched differs from alone by \(worst) (field scale \(scale))")
        }
    }

    @Test("weights-sample (one Swin stage), 3 members on the padded sample grid, 1 and 2 threads: identical to each alone in fp32",
          arguments: [1, 2])
    func sampleModel(threads: Int) throws {
        let model = try Surrogate(folder: Scratch.repository + "/weights-sample", pool: ThreadPool(threads: threads))
        try Self.compare(model, members: 3, height: 120, width: 100, tolerance: 0)
    }

    @Test("Two Swin stages (merging and expanding across stacked members), 4 members: identical to each alone in fp32",
          .enabled(if: ModelFixtures.available, ModelFixtures.unavailableReason))
    func twoStages() throws {
        let model = try Surrogate(folder: try ModelFixtures.folder("w8-p4-stages"), pool: ThreadPool(threads: 2))
        try Self.compare(model, members: 4, height: 60, width: 72, tolerance: 0)
    }

    @Test("bf16 products: 3 members within 1e-5 of the field's scale of each alone",
          .enabled(if: ProcessorCapabilities.taken >= .avx512bf16, "skipped: the bf16 kernels need AVX512-BF16, which this CPU lacks"))
    func bf16() throws {
        let model = try Surrogate(folder: Scratch.repository + "/weights-sample", pool: ThreadPool(threads: 2), precision: .bf16)
        try Self.compare(model, members: 3, height: 128, width: 128, tolerance: 1e-5)
    }

    @Test("A flux without the member dimension of the state is refused")
    func mismatchedMembers() throws {
        let model = try Surrogate(folder: Scratch.repository + "/weights-sample", pool: ThreadPool(threads: 1))
        let c = model.configuration
        let state = Tensor(zeros: [2, c.stateChannels, 32, 32])
        #expect(throws: SurrogateError.self) {
            try model.forward(state: state, flux: Tensor(zeros: [3, c.fluxChannels, 32, 32]), into: Tensor(zeros: state.shape))
        }
    }
}
