import OceanGrid
import Foundation

/// A latitude-longitude Arakawa C-grid on the sphere, periodic in longitude, with walls along its southern and
/// northern edges. Cell (i, j) has its centre (tracers, layer thickness) at (λ_i, φ_j); the eastward velocity
/// `u[j][i]` lives on the cell's east face, the northward velocity `v[j][i]` on its south face (rows 0...ny:
/// row ny is the northern wall), and vorticity on the corners east of each v point (rows 0...ny).
///
/// Metric terms are exact on the sphere: face lengths a cos φ Δλ and a Δφ, cell areas a² Δλ (sin φ_n - sin φ_s).
public struct SphericalGrid: Sendable {
    /// Earth's radius (m) and rotation rate (1/s), as in Williamson et al. (1992).
    public static let earthRadius = 6.37122e6
    public static let earthRotation = 7.292e-5

    public let nx: Int, ny: Int
    /// Grid spacing in radians.
    public let dLambda: Double, dPhi: Double
    /// Latitude (radians) of cell centres `[ny]` and of the v rows / corner rows `[ny + 1]`.
    public let centreLatitudes: [Double], faceLatitudes: [Double]
    /// Longitude (radians) of cell centres `[nx]`.
    public let centreLongitudes: [Double]
    /// Length (m) of the segment between neighbouring centres along a row (at u points), per row `[ny]`.
    public let dxU: [Double]
    /// Length (m) of the south faces (v points), per v row `[ny + 1]`.
    public let dxV: [Double]
    /// Meridional spacing (m).
    public let dy: Double
    /// Cell areas per row `[ny]` and corner (dual cell) areas per corner row `[ny + 1]` (m²).
    public let cellArea: [Double], cornerArea: [Double]
    /// Coriolis parameter at the corners, per corner row `[ny + 1]`.
    public let coriolis: [Double]
    public let radius: Double

    /// A grid of `resolution` degrees between latitudes `south` and `north` (degrees), all longitudes.
    public init(resolution: Double, south: Double, north: Double, radius: Double = earthRadius,
                rotation: Double = earthRotation) {
        let degrees = Double.pi / 180
        nx = Int((360 / resolution).rounded())
        ny = Int(((north - south) / resolution).rounded())
        dLambda = 2 * .pi / Double(nx)
        dPhi = (north - south) * degrees / Double(ny)
        self.radius = radius
        let southRadians = south * degrees, dPhi = dPhi, dLambda = dLambda, ny = ny
        faceLatitudes = (0...ny).map { southRadians + Double($0) * dPhi }
        centreLatitudes = (0..<ny).map { southRadians + (Double($0) + 0.5) * dPhi }
        centreLongitudes = (0..<nx).map { (Double($0) + 0.5) * dLambda }
        dxU = centreLatitudes.map { radius * cos($0) * dLambda }
        dxV = faceLatitudes.map { radius * cos($0) * dLambda }
        dy = radius * dPhi
        let faces = faceLatitudes
        cellArea = (0..<ny).map { radius * radius * dLambda * (sin(faces[$0 + 1]) - sin(faces[$0])) }
        let centres = centreLatitudes
        cornerArea = (0...ny).map { j in
            let low = j == 0 ? faces[0] : centres[j - 1], high = j == ny ? faces[ny] : centres[j]
            return radius * radius * dLambda * (sin(high) - sin(low))
        }
        coriolis = faceLatitudes.map { 2 * rotation * sin($0) }
    }
}
