import OceanGrid
import OceanStepper
import Surrogate
import Testing

@Suite("Stepper validation: rest, conservation, barotropic gyre", .serialized)
struct StepperValidationTests {
    @Test("Flat stratification over a basin with land and no forcing stays at rest for 30 days (Float64)")
    func rest() throws {
        let result = try ValidationCases.rest(resolution: 1, days: 30)
        #expect(result.cells > 1000)
        #expect(result.maxSpeed < 1e-10, "fastest current \(result.maxSpeed) m/s")
        #expect(result.maxSurface < 1e-10, "largest free surface \(result.maxSurface) m")
    }

    @Test("Volume and heat content drift under 1e-12 and a uniform salinity stays uniform while the basin churns")
    func conservation() throws {
        let result = try ValidationCases.conservation(resolution: 1, days: 10)
        #expect(result.maxSpeed > 0.05, "the bump, the eddy and the wind set the ocean in motion: \(result.maxSpeed) m/s")
        #expect(result.volumeDrift < 1e-12, "volume drift \(result.volumeDrift)")
        #expect(result.heatDrift < 1e-12, "heat drift \(result.heatDrift)")
        #expect(result.uniformTracerDeparture < 1e-12, "salinity departure \(result.uniformTracerDeparture)")
    }

    @Test("The barotropic gyre's streamfunction reaches the Sverdrup transport within 5%")
    func gyre() throws {
        let result = try ValidationCases.gyre(spacing: 40_000, days: 120)
        #expect(result.relativeError < 0.05, "max streamfunction \(result.maxStreamfunction) Sv against \(result.sverdrup) Sv")
    }
}
