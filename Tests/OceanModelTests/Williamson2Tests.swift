import OceanModel
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
}
