import OceanGrid
import Foundation
import NetCDF

/// The stepper's grid: a latitude-longitude (or beta-plane) Arakawa C-grid with z-levels and full-cell
/// bathymetry. Row metrics and masks carry the two-cell halo the kernels read (see CStepper.h); everything is
/// Float64 here and converted to the run's precision by ``OceanStepper``.
public struct StepperGrid: Sendable, OceanStateGrid {
    public let nx: Int, ny: Int, nz: Int
    /// Periodic in x (a zonal channel or a global band); otherwise the domain's edges are walls.
    public let periodic: Bool
    /// Tracer-point coordinates (degrees; nominal for a beta-plane box at 111.2 km per degree).
    public let latitudes: [Double], longitudes: [Double]
    /// Level thicknesses, centre depths and the depth of each level's bottom (m).
    public let thickness: [Double], levels: [Double], bottoms: [Double]
    /// Row metrics for rows -2 ..< ny + 2 (index j + 2): cell width, north-face length, cell area, north-east
    /// corner area, Coriolis parameter at that corner (m, m2, 1/s).
    public let dx: [Double], dxNorth: [Double], area: [Double], cornerArea: [Double], coriolis: [Double]
    public let dy: Double
    /// Sea-floor depth per cell [ny][nx] (0 on land) and the number of wet levels.
    public let depth: [Double], wetLevels: [Int]

    /// Builds the grid of `configuration`; `path` names the configuration in errors.
    public init(_ configuration: StepperConfiguration, path: String) throws {
        func bad(_ field: String, _ detail: String) -> StepperError { .configuration(path: path, field: field, detail: detail) }
        let g = configuration.grid
        let rows: [Double]  // latitude (radians) or y (m) of the centres of rows -2 ..< ny + 2, then faces
        let a = SphericalGrid.earthRadius, omega = SphericalGrid.earthRotation
        switch g.kind {
        case "latlon":
            guard let south = g.south, let north = g.north, let west = g.west, let east = g.east, let r = g.resolutionDeg else {
                throw bad("grid", "latlon needs south, north, west, east and resolution_deg")
            }
            guard r > 0, north > south, east > west, south > -89, north < 89 else {
                throw bad("grid", "needs 0 < resolution_deg, south < north within +-89 degrees and west < east")
            }
            nx = Int(((east - west) / r).rounded())
            ny = Int(((north - south) / r).rounded())
            periodic = g.periodic ?? false
            if periodic, abs(east - west - 360) > 1e-9 { throw bad("grid.periodic", "a periodic grid spans 360 degrees of longitude") }
            latitudes = (0..<ny).map { south + (Double($0) + 0.5) * r }
            longitudes = (0..<nx).map { west + (Double($0) + 0.5) * r }
            let dPhi = r * .pi / 180
            dy = a * dPhi
            rows = (-2..<(ny + 2)).map { (south + (Double($0) + 0.5) * r) * .pi / 180 }
            dx = rows.map { a * cos($0) * dPhi }
            dxNorth = rows.map { a * cos($0 + dPhi / 2) * dPhi }
            area = rows.map { a * a * dPhi * (sin($0 + dPhi / 2) - sin($0 - dPhi / 2)) }
            cornerArea = rows.map { a * a * dPhi * (sin($0 + dPhi) - sin($0)) }
            coriolis = rows.map { 2 * omega * sin($0 + dPhi / 2) }
        case "cartesian":
            guard let n = g.nx, let m = g.ny, let gx = g.dx, let gy = g.dy, n > 0, m > 0, gx > 0, gy > 0 else {
                throw bad("grid", "cartesian needs positive nx, ny, dx and dy")
            }
            (nx, ny, dy, periodic) = (n, m, gy, g.periodic ?? false)
            let f0 = g.f0 ?? 1e-4, beta = g.beta ?? 0
            latitudes = (0..<ny).map { (Double($0) + 0.5) * gy / 111_200 }
            longitudes = (0..<nx).map { (Double($0) + 0.5) * gx / 111_200 }
            rows = (-2..<(ny + 2)).map { (Double($0) + 0.5) * gy }
            dx = rows.map { _ in gx }
            dxNorth = dx
            area = rows.map { _ in gx * gy }
            cornerArea = area
            coriolis = rows.map { f0 + beta * ($0 + gy / 2) }
        default:
            throw bad("grid.kind", "'\(g.kind)' is not latlon or cartesian")
        }
        guard nx >= 4, ny >= 4 else { throw bad("grid", "needs at least 4 x 4 cells, got \(nx) x \(ny)") }
        guard !configuration.levels.isEmpty, configuration.levels.allSatisfy({ $0 > 0 }) else {
            throw bad("levels", "needs one or more positive thicknesses (m)")
        }
        thickness = configuration.levels
        nz = thickness.count
        var bottom = 0.0, bottoms: [Double] = [], centres: [Double] = []
        for dz in thickness {
            centres.append(bottom + dz / 2)
            bottom += dz
            bottoms.append(bottom)
        }
        (levels, self.bottoms) = (centres, bottoms)
        depth = try Self.bathymetry(configuration.bathymetry, latitudes: latitudes, longitudes: longitudes, total: bottom, path: path)
        wetLevels = depth.map { d in
            guard d > 0 else { return 0 }
            // Full cells: a level is wet when the floor lies below its middle; one level at least.
            return max(1, centres.filter { $0 < d }.count)
        }
        guard wetLevels.contains(where: { $0 > 0 }) else { throw bad("bathymetry", "has no ocean cell") }
    }

    /// Cells of one 2-D field with its halo, and of one level.
    var paddedRow: Int { nx + 4 }
    var paddedPlane: Int { (nx + 4) * (ny + 4) }

    /// The tracer mask (1 wet) with halos, [nz][ny + 4][nx + 4]; periodic grids wrap their x halos.
    func tracerMask() -> [Double] {
        var mask = [Double](repeating: 0, count: nz * paddedPlane)
        for k in 0..<nz {
            for j in 0..<ny {
                for i in -2..<(nx + 2) {
                    guard periodic || (0..<nx).contains(i) else { continue }
                    let source = (i + nx) % nx
                    if wetLevels[j * nx + source] > k { mask[k * paddedPlane + (j + 2) * paddedRow + i + 2] = 1 }
                }
            }
        }
        return mask
    }

    /// Grid distances the stability limits use: the narrowest cell width and the meridional spacing.
    var narrowestSpacing: Double { min(dx[2..<(ny + 2)].min()!, dy) }

    static func bathymetry(_ b: StepperConfiguration.Bathymetry, latitudes: [Double], longitudes: [Double], total: Double,
                           path: String) throws -> [Double] {
        func bad(_ field: String, _ detail: String) -> StepperError { .configuration(path: path, field: "bathymetry.\(field)", detail: detail) }
        let nx = longitudes.count, ny = latitudes.count
        switch b.kind {
        case "flat", "basin":
            let d = min(b.depth ?? total, total)
            guard d > 0 else { throw bad("depth", "must be positive") }
            var depth = [Double](repeating: d, count: nx * ny)
            for (n, coast) in (b.kind == "basin" ? b.coasts ?? [] : []).enumerated() {
                guard ["west", "east", "south", "north"].contains(coast.side) else {
                    throw bad("coasts[\(n)].side", "'\(coast.side)' is not west, east, south or north")
                }
                let shelf = coast.shelfWidthDeg ?? 0, shelfDepth = min(coast.shelfDepth ?? d, d), wiggle = coast.wiggleDeg ?? 0
                for j in 0..<ny {
                    for i in 0..<nx {
                        let (lat, lon) = (latitudes[j], longitudes[i])
                        // Distance (degrees) from the domain edge on that side, and the position along it.
                        let (inward, along): (Double, Double) = switch coast.side {
                        case "west": (lon - longitudes[0], lat)
                        case "east": (longitudes[nx - 1] - lon, lat)
                        case "south": (lat - latitudes[0], lon)
                        default: (latitudes[ny - 1] - lat, lon)
                        }
                        let offshore = inward - coast.widthDeg - wiggle * sin(2 * .pi * along / 8)
                        let here: Double = offshore < 0 ? 0 : offshore < shelf ? shelfDepth
                            : offshore < shelf + 1 ? shelfDepth + (d - shelfDepth) * (offshore - shelf) : d
                        depth[j * nx + i] = min(depth[j * nx + i], here)
                    }
                }
            }
            return depth
        case "netcdf":
            guard let file = b.path, let name = b.variable else { throw bad("path", "netcdf bathymetry needs path and variable") }
            let dataset = try CFDataset(path: file)
            let v = try dataset.variable(name)
            let placement = try dataset.placement(of: v, latitudes: latitudes, longitudes: longitudes)
            var values = try dataset.read(v, start: [0, 0], count: [ny, nx])
            var scratch = [Float](repeating: 0, count: ny * nx)
            values.withUnsafeMutableBufferPointer { v in
                scratch.withUnsafeMutableBufferPointer { placement.reorder(v.baseAddress!, planes: 1, height: ny, width: nx, scratch: $0.baseAddress!) }
            }
            return values.map { $0.isFinite && $0 > 0 ? Double($0) : 0 }
        default:
            throw bad("kind", "'\(b.kind)' is not flat, basin or netcdf")
        }
    }
}
