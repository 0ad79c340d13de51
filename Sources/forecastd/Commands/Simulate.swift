import ArgumentParser
import Foundation
import OceanGrid
import OceanStepper
import Surrogate

/// `forecastd simulate`: the baseline numerical ocean model, from a configuration or as a validation case.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the numerical ocean model: a configuration (--config) or a validation case (--case).",
        discussion: """
            With --config: daily means of thetao, so, uo, vo (at T points) and zos to --out, a CF file forecastd run \
            reads as an initial state and forecastd compare as a reference grid. With --restart-dir the run can be \
            interrupted and resumed; --init also takes a restart file (restart.nc) and continues that run exactly. The configuration's keys are in the \
            README. Exit codes: 78 configuration (field named, time steps above a stability limit with the largest \
            stable one), 65 bad input data, 66 missing file, 70 blow-up (day, place, variable).
            Cases and their JSON keys:
              williamson2   Williamson et al. (1992) case 2 on the sphere, walls at +-80 degrees, shallow-water core \
            (Float64): resolutionDegrees, days, steps, timeStep, l2, linf.
              kelvin        equatorial Kelvin wave, 20 points per wavelength at 1 degree: resolutionDegrees, \
            pointsPerWavelength, days, phaseSpeed, expectedSpeed, relativeError.
              rest          3-D stepper, flat stratification over a basin with coasts and a shelf, no forcing \
            (Float64): days, cells, maxSpeed, maxSurface.
              conservation  3-D stepper, free-surface bump, warm eddy and double-gyre wind (Float64): days, \
            volumeDrift, heatDrift, uniformTracerDeparture, maxSpeed.
              gyre          MITgcm's barotropic gyre (1200 km box, --resolution-deg is the grid spacing in units of \
            100 km here, 0.2 = 20 km): days, gridKilometres, maxStreamfunction, sverdrup, relativeError.
            """
    )

    static let cases = ["williamson2", "kelvin", "rest", "conservation", "gyre"]

    @Option(help: "Validation case: \(Simulate.cases.joined(separator: ", ")).")
    var `case`: String?

    @Option(help: "Stepper configuration (JSON).")
    var config: String?

    @Option(name: .customLong("init"), help: "Initial state (NetCDF on the configuration's grid); default: the configuration's.")
    var initial: String?

    @Option(help: "The init file's time to start from (YYYY-MM-DD); needed when it holds several times.")
    var start: String?

    @Option(help: "Atmosphere file (u10 v10 msl t2m d2m ssr strd mtpr) for bulk forcing.")
    var forcing: String?

    @Option(help: "Output file (with --config).")
    var out: String?

    @Option(help: "Folder for restart files (every time.restart_days days) and the daily means up to them; rerunning the same command resumes from the last restart.")
    var restartDir: String?

    @OptionGroup var accumulation: AccumulationOption

    @Option(help: "Precision with --config: float32 or float64.")
    var precision: StepperPrecision = .float32

    @Option(help: "Grid spacing in degrees (default: the case's own).")
    var resolutionDeg: Double?

    @Option(help: "Simulated days (default: the case's own).")
    var days: Double?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard (`case` == nil) != (config == nil) else { throw ValidationError("give either --case or --config") }
        if config != nil {
            guard out != nil, let days, days >= 1, days <= 36_525, days.rounded() == days else {
                throw ValidationError("--config needs --out and --days (a whole number of days, at most 36525)")
            }
            return
        }
        guard let name = `case`, Self.cases.contains(name) else {
            throw ValidationError("--case: known cases are \(Self.cases.joined(separator: ", ")); got '\(`case` ?? "")'")
        }
        if `case` == "williamson2", let r = resolutionDeg, !(r > 0 && r <= 20 && (160 / r).rounded() == 160 / r) {
            throw ValidationError("--resolution-deg must divide 160 (walls at +-80 degrees), e.g. 4, 2, 1; got \(r)")
        }
        if let r = resolutionDeg, r <= 0 { throw ValidationError("--resolution-deg must be positive") }
        if let days, days <= 0 { throw ValidationError("--days must be positive") }
    }

    func run() throws {
        if let config, let out, let days {
            try reportingFailures {
                var request = SimulationRequest(configuration: config, initial: initial, forcing: forcing, days: Int(days), output: out)
                request.start = start
                request.precision = precision
                request.restartDirectory = restartDir
                request.accumulation = try accumulation.period()
                let log = ProgressLog()
                let summary = try Simulation.run(request, resumedFrom: { log.resumed(day: $0) }) { day, total in
                    log.simulated(day: day, of: total)
                }
                print(String(format: "%d days, %d steps, %d wet cells in %.2f s: %.3g cell-steps/s", summary.days, summary.steps,
                             summary.cells, summary.seconds, summary.cellStepsPerSecond))
            }
            return
        }
        let report: any JSONReport
        let text: String
        switch `case` ?? "" {
        case "williamson2":
            let r = Williamson2.run(resolution: resolutionDeg ?? 4, days: days ?? 5)
            (report, text) = (r, String(format: "williamson2 at %g degrees, %g days (%d steps of %.1f s): l2(h) %.3e, linf(h) %.3e",
                                        r.resolutionDegrees, r.days, r.steps, r.timeStep, r.l2, r.linf))
        case "kelvin":
            let r = KelvinWave.run(resolution: resolutionDeg ?? 1, days: days ?? 3)
            (report, text) = (r, String(format: "kelvin at %g degrees (%.0f points per wavelength): phase speed %.4f m/s, sqrt(gH) %.4f m/s, error %.2e",
                                        r.resolutionDegrees, r.pointsPerWavelength, r.phaseSpeed, r.expectedSpeed, r.relativeError))
        case "rest":
            let r = try ValidationCases.rest(resolution: resolutionDeg ?? 1, days: Int(days ?? 30))
            (report, text) = (r, String(format: "rest, %g days, %d wet cells: max speed %.3e m/s, max |free surface| %.3e m",
                                        r.days, r.cells, r.maxSpeed, r.maxSurface))
        case "conservation":
            let r = try ValidationCases.conservation(resolution: resolutionDeg ?? 1, days: Int(days ?? 10))
            (report, text) = (r, String(format: "conservation, %g days (max speed %.3f m/s): volume drift %.2e, heat drift %.2e, uniform salinity departure %.2e",
                                        r.days, r.maxSpeed, r.volumeDrift, r.heatDrift, r.uniformTracerDeparture))
        default:
            let r = try ValidationCases.gyre(spacing: (resolutionDeg ?? 0.2) * 100_000, days: Int(days ?? 120))
            (report, text) = (r, String(format: "gyre, %g km grid, %g days: max streamfunction %.2f Sv against Sverdrup %.2f Sv (error %.1f%%)",
                                        r.gridKilometres, r.days, r.maxStreamfunction, r.sverdrup, 100 * r.relativeError))
        }
        print(json ? report.json() : text)
    }
}

extension Williamson2.Result: JSONReport {}
extension KelvinWave.Result: JSONReport {}
extension ValidationCases.Rest: JSONReport {}
extension ValidationCases.Conservation: JSONReport {}
extension ValidationCases.Gyre: JSONReport {}
