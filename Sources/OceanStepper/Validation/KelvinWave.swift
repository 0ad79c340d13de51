import OceanGrid
import Foundation

/// An equatorial Kelvin wave on the sphere: a small surface bump η = A cos(kλ) exp(-y² / 2R²) with the
/// matching eastward current u = (g / c) η, on a layer of depth H (R = sqrt(c / β), c = sqrt(g H)). It travels
/// east at c without changing shape; the phase speed measured from the equatorial rows checks the core's
/// gravity waves and Coriolis coupling (the C-grid's own dispersion slows it by under 0.5% at 20 points per
/// wavelength).
public enum KelvinWave {
    public struct Result: Sendable, Codable {
        public var resolutionDegrees: Double
        public var pointsPerWavelength: Double
        public var days: Double
        /// Measured and theoretical phase speeds (m/s) and their relative difference.
        public var phaseSpeed: Double
        public var expectedSpeed: Double
        public var relativeError: Double
    }

    public static func run(resolution: Double = 1, wavenumber: Int = 18, depth: Double = 1, days: Double = 3) -> Result {
        let grid = SphericalGrid(resolution: resolution, south: -30, north: 30)
        let model = ShallowWater(grid: grid)
        let g = model.gravity, a = grid.radius, c = sqrt(g * depth)
        let beta = 2 * SphericalGrid.earthRotation / a, r = sqrt(c / beta), amplitude = 1e-3 * depth
        let k = Double(wavenumber)
        func envelope(_ phi: Double) -> Double { let y = a * phi / r; return exp(-y * y / 2) }
        var state = model.zeros()
        for j in 0..<grid.ny {
            let phi = grid.centreLatitudes[j]
            for i in 0..<grid.nx {
                let lambda = grid.centreLongitudes[i]
                state.h[j * grid.nx + i] = depth + amplitude * cos(k * lambda) * envelope(phi)
                state.u[j * grid.nx + i] = g / c * amplitude * cos(k * (lambda + grid.dLambda / 2)) * envelope(phi)
            }
        }
        /// Phase (radians) of wavenumber k in the two rows beside the equator.
        func phase(_ s: ShallowWaterState) -> Double {
            var re = 0.0, im = 0.0
            for j in [grid.ny / 2 - 1, grid.ny / 2] {
                for i in 0..<grid.nx {
                    let eta = s.h[j * grid.nx + i] - depth, lambda = grid.centreLongitudes[i]
                    re += eta * cos(k * lambda)
                    im -= eta * sin(k * lambda)
                }
            }
            return atan2(im, re)
        }
        let start = phase(state)
        let dt = 1800.0, steps = Int((days * 86_400 / dt).rounded())
        for _ in 0..<steps { model.step(&state, dt: dt) }
        var turned = start - phase(state)
        while turned < 0 { turned += 2 * .pi }
        let seconds = Double(steps) * dt
        let speed = a * turned / (k * seconds)
        return Result(resolutionDegrees: resolution, pointsPerWavelength: 360 / resolution / k, days: seconds / 86_400,
                      phaseSpeed: speed, expectedSpeed: c, relativeError: abs(speed - c) / c)
    }
}
