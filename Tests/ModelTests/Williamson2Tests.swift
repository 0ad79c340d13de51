import Foundation
import OceanGrid
import OceanStepper
import Surrogate
import Testing

@Suite("Stepper validation: Williamson et al. (1992) case 2")
struct Williamson2Tests {
    @Test("Steady geostrophic flow after 5 days: l2(h) <= 1.5e-4 at 4 degrees, <= 3.5e-5 at 2, error ratio >= 3.7")
    func convergence() {
        let coarse = Williamson2.run(resolution: 4), fine = Williamson2.run(resolution: 2)
        #expect(coarse.l2 <= 1.5e-4, "4 degrees: l2 \(coarse.l2)")
        #expect(fine.l2 <= 3.5e-5, "2 degrees: l2 \(fine.l2)")
        #expect(coarse.l2 / fine.l2 >= 3.7, "ratio \(coarse.l2 / fine.l2)")
    }

    @Test("A disturbed layer: total volume kept to 1e-12 over a day, and the flow stays bounded")
    func volume() {
        let grid = SphericalGrid(resolution: 4, south: -80, north: 80)
        let model = ShallowWater(grid: grid)
        var state = model.zeros()
        for j in 0..<grid.ny {
            for i in 0..<grid.nx {
                let dphi = grid.centreLatitudes[j] - 0.5, dlambda = grid.centreLongitudes[i] - 2
                let distance2: Double = dphi * dphi + dlambda * dlambda
                state.h[j * grid.nx + i] = 3000 + 200 * exp(-20 * distance2)
            }
        }
        let before = model.volume(state)
        for _ in 0..<216 { model.step(&state, dt: 400) }
        let after = model.volume(state)
        #expect(abs(after - before) / before < 1e-12, "relative drift \(abs(after - before) / before)")
        #expect(state.u.allSatisfy { abs($0) < 50 } && state.v.allSatisfy { abs($0) < 50 })
        #expect(state.u.contains { abs($0) > 0.1 }, "the bump set the layer in motion")
    }

    @Test("An equatorial Kelvin wave at 20 points per wavelength travels east at sqrt(g H) within 1%")
    func kelvin() {
        let result = KelvinWave.run(resolution: 1, wavenumber: 18)
        #expect(result.pointsPerWavelength == 20)
        #expect(result.relativeError < 0.01, "phase speed \(result.phaseSpeed) m/s against \(result.expectedSpeed)")
    }
}
