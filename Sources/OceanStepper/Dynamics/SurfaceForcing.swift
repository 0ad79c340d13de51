import OceanGrid
import Foundation
import NetCDF
import Tensor

/// The stepper's surface forcing (see ``StepperConfiguration/Forcing``): none, the analytic gyre wind, or the
/// NCAR bulk formulae (the same ``BulkFluxes`` the forecast uses) from a daily atmosphere file or the seeded
/// ``SyntheticAtmosphere``, recomputed from the model's own SST and surface currents.
final class SurfaceForcing {
    private enum Kind {
        case none
        case gyre
        case file(AtmosphereForcing)
        case synthetic(SyntheticAtmosphere)
    }

    private let kind: Kind
    private let grid: StepperGrid
    private let tau0: Double
    private let atmosphere: AtmosphereDay
    private let sst: Tensor, us: Tensor, vs: Tensor, fluxes: Tensor
    private var loaded: CFDateTime?
    private var applied = false

    init(_ forcing: StepperConfiguration.Forcing?, grid: StepperGrid, atmosphere file: String?, accumulation: AccumulationPeriod? = nil,
         path: String) throws {
        self.grid = grid
        tau0 = forcing?.tau0 ?? 0.1
        let cells = grid.ny * grid.nx
        atmosphere = AtmosphereDay.zeros(cells: cells)
        (sst, us, vs) = (Tensor(zeros: [cells]), Tensor(zeros: [cells]), Tensor(zeros: [cells]))
        fluxes = Tensor(zeros: [BulkFluxes.channels.count, cells])
        switch forcing?.kind ?? "none" {
        case "none": kind = .none
        case "gyre": kind = .gyre
        case "bulk":
            if let file {
                let forcing = try AtmosphereForcing(path: file, model: grid, accumulation: accumulation)
                if forcing.members > 1, let dimension = forcing.memberDimension {
                    throw ForecastError.inputData(path: file, variable: nil, detail: "holds \(forcing.members) members along '\(dimension)'; "
                                                  + "the stepper runs one forecast: take one member out first (e.g. ncks -d \(dimension),0)")
                }
                kind = .file(forcing)
            } else {
                kind = .synthetic(SyntheticAtmosphere(latitudes: grid.latitudes, longitudes: grid.longitudes, seed: forcing?.seed ?? 1))
            }
        case let other:
            throw StepperError.configuration(path: path, field: "forcing.kind", detail: "'\(other)' is not none, gyre or bulk")
        }
    }

    /// The gyre wind: zonal stress -tau0 cos(pi y / L) at T points, y from the southern edge, L the domain's
    /// meridional extent ([ny][nx]).
    static func gyreStress(grid: StepperGrid, tau0: Double) -> [Double] {
        let spacing = grid.latitudes[1] - grid.latitudes[0], extent = Double(grid.ny) * spacing
        return (0..<(grid.ny * grid.nx)).map { c in
            -tau0 * cos(.pi * (grid.latitudes[c / grid.nx] - grid.latitudes[0] + spacing / 2) / extent)
        }
    }

    /// Sets the stepper's wind stress, heat and freshwater fluxes for the day ending at `date`.
    func apply(to stepper: OceanStepper, date: CFDateTime) throws {
        switch kind {
        case .none:
            return
        case .gyre:
            guard !applied else { return }
            stepper.write(.taux, Self.gyreStress(grid: grid, tau0: tau0))
            applied = true
        case .file, .synthetic:
            if loaded != date {
                if case .file(let file) = kind { try file.read(date, mode: .strict, into: atmosphere) }
                if case .synthetic(let synthetic) = kind { synthetic.fill(date, into: atmosphere) }
                loaded = date
            }
            let plane = grid.ny * grid.nx, nx = grid.nx
            let t = stepper.read(.t, surface: true), u = stepper.read(.u, surface: true), v = stepper.read(.v, surface: true)
            for c in 0..<plane {
                let i = c % nx, j = c / nx
                let west = i > 0 ? c - 1 : (grid.periodic ? c + nx - 1 : c), south = j > 0 ? c - nx : c
                sst.pointer[c] = Float(t[c])
                us.pointer[c] = Float(0.5 * (u[c] + (i > 0 || grid.periodic ? u[west] : 0)))
                vs.pointer[c] = Float(0.5 * (v[c] + (j > 0 ? v[south] : 0)))
            }
            BulkFluxes.compute(sst: sst, us: us, vs: vs, atmosphere: atmosphere, into: fluxes)
            func channel(_ name: String) -> [Double] {
                let first = BulkFluxes.channels.firstIndex(of: name)! * plane
                return (0..<plane).map { Double(fluxes.pointer[first + $0]) }.map { $0.isFinite ? $0 : 0 }
            }
            let (ql, ssr, qh, qe) = (channel("ql"), channel("ssr"), channel("qh"), channel("qe"))
            let (evap, rain) = (channel("evap"), channel("mtpr"))
            stepper.write(.taux, channel("taux"))
            stepper.write(.tauy, channel("tauy"))
            stepper.write(.qnet, (0..<plane).map { ql[$0] + ssr[$0] + qh[$0] + qe[$0] })
            stepper.write(.freshwater, (0..<plane).map { evap[$0] - rain[$0] })
        }
    }
}
