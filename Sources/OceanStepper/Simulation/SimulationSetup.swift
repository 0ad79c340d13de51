import Foundation
import OceanGrid
import Tensor

/// The first step of a ``Simulation``: the configuration read, the grid built, the time step checked against
/// the stability limits, and the stepper made. Nothing is stepped and no file is created until it succeeds.
struct SimulationSetup {
    let configuration: StepperConfiguration
    let grid: StepperGrid
    let physics: StepperPhysics
    let stepper: OceanStepper
    let stepsPerDay: Int
    /// Steps between two updates of the surface forcing.
    let forcingEverySteps: Int

    init(_ request: SimulationRequest, pool: ThreadPool) throws {
        let path = request.configuration
        configuration = try StepperConfiguration.load(path)
        grid = try StepperGrid(configuration, path: path)
        physics = StepperPhysics(configuration.physics)
        let dt = configuration.time.stepSeconds
        guard dt > 0, (86_400 / dt).rounded() == 86_400 / dt else {
            throw StepperError.configuration(path: path, field: "time.step_seconds", detail: "\(dt) s does not divide a day")
        }
        try Self.checkStability(grid: grid, physics: physics, timeStep: dt, path: path)
        stepper = OceanStepper(grid: grid, physics: physics, timeStep: dt, barotropicCourant: configuration.time.barotropicCourant ?? 0.7,
                               precision: request.precision, pool: pool)
        stepsPerDay = Int((86_400 / dt).rounded())
        forcingEverySteps = max(1, configuration.forcing?.fluxEverySteps ?? stepsPerDay / 24)
    }

    /// The largest stable step for each explicit term; a step above any of them is refused before running.
    static func stabilityLimits(grid: StepperGrid, physics: StepperPhysics) -> [(term: String, seconds: Double)] {
        let dx = grid.narrowestSpacing, dy = grid.dy, laplacian = 4 / (dx * dx) + 4 / (dy * dy)
        let f = grid.coriolis.map(abs).max()!
        var limits: [(String, Double)] = [("advection at \(physics.expectedMaxSpeed) m/s", 0.5 * dx / physics.expectedMaxSpeed)]
        if f > 0 { limits.append(("Coriolis (Adams-Bashforth 3)", 0.5 / f)) }
        if physics.viscosity > 0 { limits.append(("horizontal viscosity", 0.5 / (physics.viscosity * laplacian))) }
        if physics.diffusivity > 0 { limits.append(("horizontal diffusion", 1 / (physics.diffusivity * laplacian))) }
        return limits
    }

    static func checkStability(grid: StepperGrid, physics: StepperPhysics, timeStep: Double, path: String) throws {
        let limits = stabilityLimits(grid: grid, physics: physics)
        let tightest = limits.min { $0.seconds < $1.seconds }!
        if timeStep > tightest.seconds {
            throw StepperError.configuration(path: path, field: "time.step_seconds", detail: String(
                format: "%g s violates the %@ limit; the largest stable step is %.0f s", timeStep, tightest.term, tightest.seconds.rounded(.down)))
        }
    }
}
