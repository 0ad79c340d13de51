import NetCDF
/// The ocean state variables forecastd forecasts, with their CF identity (CMEMS names, standard names, units);
/// `allCases` is the channel order of their blocks.
public enum OceanVariable: String, CaseIterable, Sendable {
    /// Eastward velocity.
    case uo
    /// Northward velocity.
    case vo
    /// Potential temperature.
    case thetao
    /// Salinity.
    case so
    /// Sea surface height.
    case zos

    /// CF standard name.
    public var standardName: String {
        switch self {
        case .uo: "eastward_sea_water_velocity"
        case .vo: "northward_sea_water_velocity"
        case .thetao: "sea_water_potential_temperature"
        case .so: "sea_water_salinity"
        case .zos: "sea_surface_height_above_geoid"
        }
    }

    /// Human-readable name (CMEMS's long_name).
    public var longName: String {
        switch self {
        case .uo: "Eastward velocity"
        case .vo: "Northward velocity"
        case .thetao: "Temperature"
        case .so: "Salinity"
        case .zos: "Sea surface height"
        }
    }

    /// CF units.
    public var units: String {
        switch self {
        case .uo, .vo: "m s-1"
        case .thetao: "degrees_C"
        case .so: "1e-3"
        case .zos: "m"
        }
    }

    /// What it measures, for unit conversion on read.
    public var quantity: PhysicalQuantity {
        switch self {
        case .uo, .vo: .velocity
        case .thetao: .seaTemperature
        case .so: .salinity
        case .zos: .seaLevel
        }
    }

    /// True for the 3-D variables (one channel per depth level); zos is a single surface channel.
    public var hasDepth: Bool { self != .zos }
}
