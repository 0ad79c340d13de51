import OceanGrid
import Foundation

/// Williamson et al. (1992) test case 2, steady zonal geostrophic flow (α = 0), on a grid with walls at ±80°
/// where the exact flow is parallel to them: u = u0 cos φ, v = 0,
/// g h = g h0 - (a Ω u0 + u0² / 2) sin² φ, u0 = 2π a / 12 days, g h0 = 2.94e4 m²/s². After `days`, the
/// normalised l2 error of h against the (unchanging) exact solution measures the core's accuracy.
public enum Williamson2 {
    /// The result of one run.
    public struct Result: Sendable, Codable {
        public var resolutionDegrees: Double
        public var days: Double
        public var steps: Int
        public var timeStep: Double
        /// Normalised l2 and l∞ errors of h (Williamson's definitions, area-weighted).
        public var l2: Double
        public var linf: Double
    }

    public static func run(resolution: Double, days: Double = 5) -> Result {
        let grid = SphericalGrid(resolution: resolution, south: -80, north: 80)
        let model = ShallowWater(grid: grid)
        let a = grid.radius, omega = SphericalGrid.earthRotation, g = model.gravity
        let u0 = 2 * Double.pi * a / (12 * 86_400), gh0 = 2.94e4
        func height(_ phi: Double) -> Double { (gh0 - (a * omega * u0 + u0 * u0 / 2) * sin(phi) * sin(phi)) / g }
        var state = model.zeros()
        let exact = (0..<grid.ny).flatMap { j in Array(repeating: height(grid.centreLatitudes[j]), count: grid.nx) }
        state.h = exact
        for j in 0..<grid.ny {
            for i in 0..<grid.nx { state.u[j * grid.nx + i] = u0 * cos(grid.centreLatitudes[j]) }
        }
        // Time step: 0.9 x (narrowest cell / (gravity wave + flow speed)), well inside RK4's stability limit.
        let speed = sqrt(gh0) + u0, narrowest = grid.dxU.min()!
        let steps = Int((days * 86_400 / (0.9 * narrowest / speed)).rounded(.up))
        let dt = days * 86_400 / Double(steps)
        for _ in 0..<steps { model.step(&state, dt: dt) }
        var squares = 0.0, reference = 0.0, worst = 0.0, peak = 0.0
        for j in 0..<grid.ny {
            for i in 0..<grid.nx {
                let k = j * grid.nx + i, d = state.h[k] - exact[k]
                squares += d * d * grid.cellArea[j]
                reference += exact[k] * exact[k] * grid.cellArea[j]
                worst = max(worst, abs(d))
                peak = max(peak, abs(exact[k]))
            }
        }
        return Result(resolutionDegrees: resolution, days: days, steps: steps, timeStep: dt,
                      l2: (squares / reference).squareRoot(), linf: worst / peak)
    }
}
