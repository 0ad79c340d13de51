import CAllocationCounter
import OceanGrid
import OceanStepper
import Surrogate
import Tensor
import TestSupport
import Testing

@Suite("Surrogate memory plan")
struct SurrogateAllocationTests {
    #if DEBUG
    static let optimized = false
    #else
    static let optimized = true
    #endif

    @Test("After the planning passes a forward pass allocates no activation memory (stages and skips included)",
          .enabled(if: optimized && ModelFixtures.available,
                   "allocation counts hold for optimized builds with the Python fixtures"))
    func noAllocationAfterPlanning() throws {
        let folder = try ModelFixtures.folder("w8-p4-stages")
        let pool = ThreadPool(threads: 2)
        let model = try Surrogate(folder: folder, pool: pool)
        let state = try ModelFixtures.tensor(folder, "inputs.safetensors", "state")
        let flux = try ModelFixtures.tensor(folder, "inputs.safetensors", "flux")
        let change = Tensor(zeros: state.shape)
        // Pass 1 plans the arena; pass 2's reset consolidates it into one block.
        try model.forward(state: state, flux: flux, into: change)
        try model.forward(state: state, flux: flux, into: change)
        let planned = model.activationFloats
        pool.onEveryThread { _ in fd_count_allocations_on_this_thread(1) }
        let largeBefore = fd_counted_large_allocations()
        try model.forward(state: state, flux: flux, into: change)
        try model.forward(state: state, flux: flux, into: change)
        let large = fd_counted_large_allocations() - largeBefore
        pool.onEveryThread { _ in fd_count_allocations_on_this_thread(0) }
        #expect(large == 0, "\(large) allocations above 64 bytes in two planned passes")
        #expect(model.activationFloats == planned && planned > 0)
    }
}
