import OceanGrid
import Foundation

/// The state of a single layer on a ``SphericalGrid``: thickness h (m) at cell centres `[ny][nx]`, eastward
/// velocity u `[ny][nx]` on east faces, northward velocity v `[ny + 1][nx]` on south faces (rows 0 and ny are
/// walls and stay 0). Row-major flat arrays.
public struct ShallowWaterState: Sendable {
    public var h: [Double]
    public var u: [Double]
    public var v: [Double]
}

/// The rotating shallow-water equations in vector-invariant form on the C-grid, in Float64:
///
///   ∂u/∂t = (ζ + f) v - ∂/∂x (g h + K),   ∂v/∂t = -(ζ + f) u - ∂/∂y (g h + K),   ∂h/∂t = -∇·(h u),
///
/// with Sadourny's energy-conserving vorticity term: potential vorticity q = (ζ + f) / h at the corners times
/// the volume transports of the four faces around each corner, so that the vorticity term does no work.
/// This is the barotropic core of the stepper; its accuracy is checked on Williamson et al. (1992) case 2.
public struct ShallowWater: Sendable {
    public let grid: SphericalGrid
    public let gravity: Double

    public init(grid: SphericalGrid, gravity: Double = 9.80616) {
        self.grid = grid
        self.gravity = gravity
    }

    /// A state of zeros.
    public func zeros() -> ShallowWaterState {
        ShallowWaterState(h: .init(repeating: 0, count: grid.ny * grid.nx), u: .init(repeating: 0, count: grid.ny * grid.nx),
                          v: .init(repeating: 0, count: (grid.ny + 1) * grid.nx))
    }

    /// Total volume Σ h A (m³); the flux-form continuity equation keeps it to rounding.
    public func volume(_ s: ShallowWaterState) -> Double {
        var total = 0.0
        for j in 0..<grid.ny { for i in 0..<grid.nx { total += s.h[j * grid.nx + i] * grid.cellArea[j] } }
        return total
    }

    /// Time derivatives of `s`.
    public func tendencies(_ s: ShallowWaterState) -> ShallowWaterState {
        let g = grid, nx = g.nx, ny = g.ny
        var t = zeros()
        // Volume transports through east faces (U) and south faces (V), m³/s.
        var U = [Double](repeating: 0, count: ny * nx), V = [Double](repeating: 0, count: (ny + 1) * nx)
        for j in 0..<ny {
            for i in 0..<nx {
                let e = (i + 1) % nx
                U[j * nx + i] = 0.5 * (s.h[j * nx + i] + s.h[j * nx + e]) * s.u[j * nx + i] * g.dy
            }
        }
        for j in 1..<ny {
            for i in 0..<nx {
                V[j * nx + i] = 0.5 * (s.h[(j - 1) * nx + i] + s.h[j * nx + i]) * s.v[j * nx + i] * g.dxV[j]
            }
        }
        // Potential vorticity at interior corners (i + 1/2, row j); wall corners are multiplied by v = 0.
        var q = [Double](repeating: 0, count: (ny + 1) * nx)
        for j in 1..<ny {
            for i in 0..<nx {
                let e = (i + 1) % nx
                let circulation = s.u[(j - 1) * nx + i] * g.dxU[j - 1] + s.v[j * nx + e] * g.dy
                    - s.u[j * nx + i] * g.dxU[j] - s.v[j * nx + i] * g.dy
                let hz = 0.25 * (s.h[(j - 1) * nx + i] + s.h[(j - 1) * nx + e] + s.h[j * nx + i] + s.h[j * nx + e])
                q[j * nx + i] = (circulation / g.cornerArea[j] + g.coriolis[j]) / hz
            }
        }
        // Bernoulli function g h + K at centres.
        var B = [Double](repeating: 0, count: ny * nx)
        for j in 0..<ny {
            for i in 0..<nx {
                let w = (i + nx - 1) % nx
                let ue = s.u[j * nx + i], uw = s.u[j * nx + w], vs = s.v[j * nx + i], vn = s.v[(j + 1) * nx + i]
                B[j * nx + i] = gravity * s.h[j * nx + i] + 0.25 * (ue * ue + uw * uw + vs * vs + vn * vn)
            }
        }
        for j in 0..<ny {
            for i in 0..<nx {
                let e = (i + 1) % nx, k = j * nx + i
                // Corners on rows j and j + 1 at (i + 1/2), each with its two v faces.
                let south = q[j * nx + i] * (V[j * nx + i] + V[j * nx + e])
                let north = q[(j + 1) * nx + i] * (V[(j + 1) * nx + i] + V[(j + 1) * nx + e])
                t.u[k] = 0.25 * (south + north) / g.dxU[j] - (B[j * nx + e] - B[k]) / g.dxU[j]
                let w = (i + nx - 1) % nx
                t.h[k] = -(U[k] - U[j * nx + w] + V[(j + 1) * nx + i] - V[k]) / g.cellArea[j]
            }
        }
        for j in 1..<ny {
            for i in 0..<nx {
                let w = (i + nx - 1) % nx, k = j * nx + i
                // Corners at (i - 1/2) and (i + 1/2) on row j, each with its two u faces (rows j - 1 and j).
                let west = q[j * nx + w] * (U[(j - 1) * nx + w] + U[j * nx + w])
                let east = q[k] * (U[(j - 1) * nx + i] + U[k])
                t.v[k] = -0.25 * (west + east) / g.dy - (B[k] - B[(j - 1) * nx + i]) / g.dy
            }
        }
        return t
    }

    /// One classical fourth-order Runge-Kutta step of `dt` seconds.
    public func step(_ s: inout ShallowWaterState, dt: Double) {
        func add(_ a: ShallowWaterState, _ b: ShallowWaterState, _ c: Double) -> ShallowWaterState {
            ShallowWaterState(h: zip(a.h, b.h).map { $0 + c * $1 }, u: zip(a.u, b.u).map { $0 + c * $1 },
                              v: zip(a.v, b.v).map { $0 + c * $1 })
        }
        let k1 = tendencies(s)
        let k2 = tendencies(add(s, k1, dt / 2))
        let k3 = tendencies(add(s, k2, dt / 2))
        let k4 = tendencies(add(s, k3, dt))
        s = add(s, add(add(k1, k4, 1), add(k2, k3, 1), 2), dt / 6)
    }
}
