import NetCDF
/// Where an ocean state lives: the latitudes and longitudes of its tracer points and the depths of its levels.
/// The surrogate's model folder and the stepper's configuration both describe one; initial states and forcing
/// files are read onto it. Channels follow WenHai's order: uo[L], vo[L], thetao[L], so[L], zos.
public protocol OceanStateGrid {
    /// Latitudes and longitudes (degrees) of the tracer points.
    var latitudes: [Double] { get }
    var longitudes: [Double] { get }
    /// Depth of each level (m, positive down).
    var levels: [Double] { get }
}

extension OceanStateGrid {
    /// The number of state channels: four 3-D variables and zos.
    public var stateChannelCount: Int { 4 * levels.count + 1 }

    /// The channel of `variable` at level `level` (ignored for zos).
    public func channel(_ variable: OceanVariable, level: Int = 0) -> Int {
        switch variable {
        case .uo: level
        case .vo: levels.count + level
        case .thetao: 2 * levels.count + level
        case .so: 3 * levels.count + level
        case .zos: 4 * levels.count
        }
    }
}
