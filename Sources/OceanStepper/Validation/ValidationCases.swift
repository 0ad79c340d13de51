import OceanGrid
import Foundation
import Tensor

/// The 3-D stepper's validation cases: a resting ocean stays at rest, volume and tracers are conserved, and the
/// wind-driven barotropic gyre reaches the Sverdrup transport.
public enum ValidationCases {
    /// A closed basin with coasts on two sides and a shelf, `resolution` degrees, 8 levels to 2000 m.
    public static func basin(resolution: Double) -> StepperConfiguration {
        StepperConfiguration(
            grid: .init(kind: "latlon", south: 20, north: 36, west: -60, east: -40, resolutionDeg: resolution),
            levels: [25, 50, 75, 100, 200, 350, 500, 700],
            bathymetry: .init(kind: "basin", depth: 1800, coasts: [
                .init(side: "west", widthDeg: 2, shelfWidthDeg: 2, shelfDepth: 120, wiggleDeg: 1),
                .init(side: "north", widthDeg: 1, shelfWidthDeg: 1, shelfDepth: 300),
            ]),
            time: .init(stepSeconds: 1800))
    }

    /// Result of the `rest` case.
    public struct Rest: Sendable, Codable {
        public var days: Double
        public var cells: Int
        /// The fastest current after the run (m/s) and the largest |free surface| (m).
        public var maxSpeed: Double
        public var maxSurface: Double
    }

    /// Horizontally uniform stratification over the basin, no forcing, Float64: nothing should move. Vertical
    /// diffusion is off: against a sloping floor (no flux through it) it bends the isopycnals and drives a real
    /// boundary current, which is physics, not an error of the pressure gradient this case checks.
    public static func rest(resolution: Double = 1, days: Int = 30, pool: ThreadPool = .shared) throws -> Rest {
        var physics = StepperPhysics()
        physics.verticalDiffusivity = 0
        let stepper = try basinStepper(resolution: resolution, physics: physics, pool: pool) { _, _ in 0 }
        let grid = stepper.grid, plane = grid.ny * grid.nx
        stepper.write(.s, (0..<(grid.nz * plane)).map { 34.5 + 0.5 * exp(-grid.levels[$0 / plane] / 300) })
        for _ in 0..<(days * 48) { stepper.step() }
        let speed = stepper.check().speed
        let surface = stepper.read(.eta).map(abs).max()!
        return Rest(days: Double(days), cells: grid.wetLevels.reduce(0, +), maxSpeed: speed, maxSurface: surface)
    }

    /// Result of the `conservation` case.
    public struct Conservation: Sendable, Codable {
        public var days: Double
        /// Relative drift of total volume and heat (temperature) content, and the largest departure of the
        /// uniform salinity from its value, relative.
        public var volumeDrift: Double
        public var heatDrift: Double
        public var uniformTracerDeparture: Double
        public var maxSpeed: Double
    }

    /// The basin with a free-surface bump, a warm eddy and wind (a double gyre), Float64: the flow is vigorous,
    /// yet volume and heat content must stay put and the uniform salinity uniform.
    public static func conservation(resolution: Double = 1, days: Int = 10, pool: ThreadPool = .shared) throws -> Conservation {
        // A warm eddy and a free-surface bump, Gaussian around 28 N 48 W.
        func bump(_ latitude: Double, _ longitude: Double) -> Double {
            exp(-((latitude - 28) * (latitude - 28) + (longitude + 48) * (longitude + 48)) / 4)
        }
        let stepper = try basinStepper(resolution: resolution, physics: StepperPhysics(), pool: pool) { 3 * bump($0, $1) }
        let grid = stepper.grid, plane = grid.ny * grid.nx
        stepper.write(.s, [Double](repeating: 35, count: grid.nz * plane))
        stepper.write(.eta, (0..<plane).map { bump(grid.latitudes[$0 / grid.nx], grid.longitudes[$0 % grid.nx]) * 0.3 })
        let length = grid.latitudes.last! - grid.latitudes.first!
        let stress = (0..<plane).map { -0.1 * cos(2 * .pi * (grid.latitudes[$0 / grid.nx] - grid.latitudes[0]) / length) }
        stepper.write(.taux, stress)
        let before = contents(stepper)
        for _ in 0..<(days * 48) { stepper.step() }
        let after = contents(stepper)
        let salinity = stepper.read(.s), wet = stepper.wetCells
        let departure = zip(salinity, wet).filter { $1 > 0 }.map { abs($0.0 - 35) / 35 }.max()!
        return Conservation(days: Double(days), volumeDrift: abs(after.volume - before.volume) / before.volume,
                            heatDrift: abs(after.heat - before.heat) / before.heat, uniformTracerDeparture: departure,
                            maxSpeed: stepper.check().speed)
    }

    /// A Float64 stepper over ``basin(resolution:)`` with temperature 4 + (20 + anomaly(lat, lon)) exp(-z / 300).
    static func basinStepper(resolution: Double, physics: StepperPhysics, pool: ThreadPool,
                             anomaly: (_ latitude: Double, _ longitude: Double) -> Double) throws -> OceanStepper {
        let grid = try StepperGrid(basin(resolution: resolution), path: "basin")
        let stepper = OceanStepper(grid: grid, physics: physics, timeStep: 1800, precision: .float64, pool: pool)
        let plane = grid.ny * grid.nx
        stepper.write(.t, (0..<(grid.nz * plane)).map { c in
            let j = (c % plane) / grid.nx, i = c % grid.nx
            return 4 + (20 + anomaly(grid.latitudes[j], grid.longitudes[i])) * exp(-grid.levels[c / plane] / 300)
        })
        return stepper
    }

    /// Total volume and temperature content (the top layer's thickness includes the free surface).
    static func contents(_ stepper: OceanStepper) -> (volume: Double, heat: Double) {
        let g = stepper.grid, plane = g.ny * g.nx, wet = stepper.wetCells, t = stepper.read(.t), eta = stepper.read(.eta)
        var volume = 0.0, heat = 0.0
        for k in 0..<g.nz {
            for c in 0..<plane where wet[k * plane + c] > 0 {
                let h = g.thickness[k] + (k == 0 ? eta[c] : 0), v = h * g.area[c / g.nx + 2]
                volume += v
                heat += v * t[k * plane + c]
            }
        }
        return (volume, heat)
    }

    /// Result of the `gyre` case.
    public struct Gyre: Sendable, Codable {
        public var days: Double
        public var gridKilometres: Double
        /// The largest barotropic streamfunction (Sv) and the Sverdrup value it should approach.
        public var maxStreamfunction: Double
        public var sverdrup: Double
        public var relativeError: Double
    }

    /// MITgcm's barotropic gyre: a 1200 km square box, one 5000 m layer, f0 1e-4, beta 1e-11, Ah 400 m2/s,
    /// tau = -0.1 cos(pi y / L), no bottom drag; the streamfunction's maximum after `days` (Sv).
    public static func gyre(spacing: Double = 20_000, days: Int = 120, precision: StepperPrecision = .float64,
                            pool: ThreadPool = .shared) throws -> Gyre {
        let n = Int((1_200_000 / spacing).rounded())
        var configuration = StepperConfiguration(
            grid: .init(kind: "cartesian", nx: n, ny: n, dx: spacing, dy: spacing, f0: 1e-4, beta: 1e-11),
            levels: [5000], bathymetry: .init(kind: "flat", depth: 5000), time: .init(stepSeconds: 1200))
        configuration.physics = .init(rho0: 1000, viscosity: 400, diffusivity: 0, bottomDrag: 0)
        let grid = try StepperGrid(configuration, path: "gyre")
        let dt = 1200.0
        let stepper = OceanStepper(grid: grid, physics: StepperPhysics(configuration.physics), timeStep: dt,
                                   precision: precision, pool: pool)
        let plane = grid.ny * grid.nx
        stepper.write(.t, [Double](repeating: 10, count: plane))
        stepper.write(.s, [Double](repeating: 35, count: plane))
        stepper.write(.taux, SurfaceForcing.gyreStress(grid: grid, tau0: 0.1))
        for _ in 0..<(days * 72) { stepper.step() }
        // psi at the corners between rows, integrated northward from the southern wall: psi_north = psi_south - u H dy.
        let u = stepper.read(.u)
        var largest = 0.0
        for i in 0..<n {
            var psi = 0.0
            for j in 0..<n {
                psi -= u[j * n + i] * 5000 * spacing
                largest = max(largest, abs(psi))
            }
        }
        let sverdrup = 0.1 * .pi / (1000 * 1e-11) / 1e6
        return Gyre(days: Double(days), gridKilometres: spacing / 1000, maxStreamfunction: largest / 1e6, sverdrup: sverdrup,
                    relativeError: abs(largest / 1e6 - sverdrup) / sverdrup)
    }
}
