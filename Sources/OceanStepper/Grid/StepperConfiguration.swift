import OceanGrid
import Foundation
import NetCDF

/// A stepper configuration, read from JSON (snake_case keys): the domain and its resolution, the levels, the
/// bathymetry, time steps, mixing coefficients, the initial state and the surface forcing.
/// Every field and its default is listed in the README's stepper section.
public struct StepperConfiguration: Codable, Sendable, Equatable {
    /// The horizontal grid: `latlon` (south, north, west, east, resolution_deg, periodic) or `cartesian` (a
    /// beta-plane box: nx, ny, dx, dy, f0, beta).
    public struct Grid: Codable, Sendable, Equatable {
        public var kind: String
        public var south: Double?, north: Double?, west: Double?, east: Double?, resolutionDeg: Double?
        public var periodic: Bool?
        public var nx: Int?, ny: Int?
        public var dx: Double?, dy: Double?, f0: Double?, beta: Double?
    }

    /// A coast along one side of the domain: land `width_deg` deep (wavy by `wiggle_deg`), then a shelf of
    /// `shelf_depth` m for `shelf_width_deg`, then a one-degree slope down to the basin depth.
    public struct Coast: Codable, Sendable, Equatable {
        public var side: String
        public var widthDeg: Double
        public var shelfWidthDeg: Double?
        public var shelfDepth: Double?
        public var wiggleDeg: Double?
    }

    /// The sea floor: `flat` (depth everywhere), `basin` (depth with coasts and shelves) or `netcdf` (path and
    /// variable of a depth field on the grid, positive down, land 0 or missing).
    public struct Bathymetry: Codable, Sendable, Equatable {
        public var kind: String
        public var depth: Double?
        public var coasts: [Coast]?
        public var path: String?
        public var variable: String?
    }

    /// Time stepping: the baroclinic step (s, dividing a day), the start date (YYYY-MM-DD), the Courant
    /// number of the barotropic substeps and the restart interval.
    public struct Time: Codable, Sendable, Equatable {
        public var stepSeconds: Double
        public var start: String?
        public var barotropicCourant: Double?
        /// Days between restart files when the run has a restart folder (default 30).
        public var restartDays: Int?
    }

    /// Physical constants and mixing (SI units); every field has a default.
    public struct Physics: Codable, Sendable, Equatable {
        public var gravity: Double?, rho0: Double?, heatCapacity: Double?
        /// Equation of state: rho = rho0 (1 - alpha (T - t0) - cabbeling / 2 (T - t0)^2 + beta (S - s0)).
        public var alpha: Double?, beta: Double?, t0: Double?, s0: Double?, cabbeling: Double?
        /// Horizontal viscosity and diffusivity, vertical viscosity and diffusivity, convective diffusivity (m2/s).
        public var viscosity: Double?, diffusivity: Double?, verticalViscosity: Double?, verticalDiffusivity: Double?
        public var convectiveDiffusivity: Double?
        /// Quadratic bottom drag coefficient; no-slip (true) or free-slip side walls.
        public var bottomDrag: Double?, noSlip: Bool?
        /// Surface salinity restoring time scale in days (0: none) and the speed limit a blow-up is declared at.
        public var salinityRestoringDays: Double?, speedLimit: Double?
        /// The fastest current the configuration is checked against for the advective time-step limit (m/s).
        public var expectedMaxSpeed: Double?
    }

    /// The initial state when no file is given: `uniform` (temperature, salinity) or `stratified` (a surface
    /// temperature from equator_temperature to pole_temperature by sin^2 latitude, decaying to
    /// deep_temperature with e-folding thermocline_depth; salinity from surface_salinity to salinity).
    public struct Initial: Codable, Sendable, Equatable {
        public var kind: String
        public var temperature: Double?, salinity: Double?
        public var equatorTemperature: Double?, poleTemperature: Double?, deepTemperature: Double?
        public var thermoclineDepth: Double?, surfaceSalinity: Double?
    }

    /// Surface forcing: `none`, `gyre` (zonal stress -tau0 cos(pi y / L)) or `bulk` (NCAR bulk formulae from
    /// an atmosphere file given with --forcing, else the synthetic atmosphere with `seed`), recomputed every
    /// `flux_every_steps` steps.
    public struct Forcing: Codable, Sendable, Equatable {
        public var kind: String
        public var tau0: Double?
        public var seed: UInt64?
        public var fluxEverySteps: Int?
    }

    public var grid: Grid
    /// Level thicknesses (m), top down.
    public var levels: [Double]
    public var bathymetry: Bathymetry
    public var time: Time
    public var physics: Physics?
    public var initial: Initial?
    public var forcing: Forcing?

    /// `time.start` (default 2000-01-01).
    public func startDate(path: String) throws -> CFDateTime {
        let text = time.start ?? "2000-01-01"
        guard let date = CFDateTime(parsing: text) else {
            throw StepperError.configuration(path: path, field: "time.start", detail: "'\(text)' is not YYYY-MM-DD")
        }
        return date
    }

    /// Reads and decodes `path`; JSON errors name the field.
    public static func load(_ path: String) throws -> StepperConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StepperError.missing(path: path)
        }
        return try decode(data, path: path)
    }

    /// Decodes JSON text; `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws -> StepperConfiguration {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(StepperConfiguration.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw StepperError.configuration(path: path, field: Self.field(context.codingPath + [key]), detail: "missing")
        } catch let DecodingError.typeMismatch(type, context) {
            throw StepperError.configuration(path: path, field: Self.field(context.codingPath), detail: "expected \(type)")
        } catch let DecodingError.valueNotFound(type, context) {
            throw StepperError.configuration(path: path, field: Self.field(context.codingPath), detail: "expected \(type), got null")
        } catch let DecodingError.dataCorrupted(context) {
            throw StepperError.configuration(path: path, field: Self.field(context.codingPath), detail: "not valid JSON: \(context.debugDescription)")
        }
    }

    private static func field(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue.snakeCased }.joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
    }
}

extension String {
    /// "stepSeconds" -> "step_seconds".
    var snakeCased: String {
        var out = ""
        for c in self {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }
}
