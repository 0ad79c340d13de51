import OceanGrid
import Foundation
import NetCDF
import Tensor

/// A stepper run from a configuration: checks the time step against the stability limits, sets the initial
/// state, then steps day by day with its surface forcing, writing daily means of thetao, so, uo, vo (at T
/// points) and zos as a CF file the surrogate reads (any output day is an initial state). A blow-up stops the
/// run with the day, the place and the variable, and leaves no output file.
public enum Simulation {
    /// What a run did.
    public struct Summary: Sendable {
        public var days: Int
        public var steps: Int
        public var cells: Int
        public var seconds: Double
        /// Cell-steps per second (wet cells x steps / wall time).
        public var cellStepsPerSecond: Double { Double(cells) * Double(steps) / seconds }
    }

    /// Prepares the run (``SimulationSetup``), finds where it starts (a restart in the run's folder, an init
    /// file or the configuration's initial ocean), opens its output (``SimulationOutput``), then steps day by day.
    public static func run(_ request: SimulationRequest, pool: ThreadPool = .shared,
                           resumedFrom: (_ day: Int) -> Void = { _ in },
                           progress: (_ day: Int, _ days: Int) -> Void = { _, _ in }) throws -> Summary {
        let setup = try SimulationSetup(request, pool: pool)
        let stepper = setup.stepper, path = request.configuration
        let identity = try runIdentity(request)
        let resumed = try resumption(request, identity: identity, stepper: stepper)
        let start = try resumed.map(\.reference) ?? setInitialState(stepper, request: request, configuration: setup.configuration)
        let forcing = try SurfaceForcing(setup.configuration.forcing, grid: setup.grid, atmosphere: request.forcing,
                                         accumulation: request.accumulation, path: path)
        var layout = ForecastLayout(latitudes: setup.grid.latitudes, longitudes: setup.grid.longitudes, depths: setup.grid.levels,
                                    variables: OceanVariable.allCases.map(Self.outputVariable), referenceTime: start)
        layout.title = "forecastd stepper daily means"
        layout.source = "forecastd simulate, \((path as NSString).lastPathComponent)"
        let sink = try SimulationOutput(output: request.output, layout: layout, days: request.days,
                                        restartFolder: request.restartDirectory, interval: setup.configuration.time.restartDays ?? 30)
        defer { sink.abandon() }
        let first = (resumed?.day ?? 0) + 1
        try sink.resume(after: first - 1)
        if first > 1 { resumedFrom(first - 1) }
        let clock = DispatchTime.now().uptimeNanoseconds, stepsBefore = stepper.steps
        for day in first...request.days {
            let date = AtmosphereForcing.date(start, plus: day)
            for n in 0..<setup.stepsPerDay {
                if n % setup.forcingEverySteps == 0 { try forcing.apply(to: stepper, date: date) }
                stepper.step()
                stepper.accumulate()
            }
            try checkBlowUp(stepper, day: day, limit: setup.physics.speedLimit)
            let means = stepper.takeMean()
            try sink.write(day: day, means: Dictionary(uniqueKeysWithValues: means.map { ($0.key.rawValue, $0.value) }))
            _ = try sink.checkpoint(day: day, stepper: stepper, reference: start, identity: identity)
            progress(day, request.days)
        }
        try sink.finish()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
        return Summary(days: request.days - first + 1, steps: stepper.steps - stepsBefore, cells: setup.grid.wetLevels.reduce(0, +),
                       seconds: seconds)
    }

    /// The restart this run resumes from: its own restart in `--restart-dir`, if it is short of the last day.
    /// A restart another run wrote there is refused.
    static func resumption(_ request: SimulationRequest, identity: String, stepper: OceanStepper) throws -> RestartFile.Header? {
        guard let folder = request.restartDirectory else { return nil }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = SimulationOutput.restartPath(folder)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let header = try RestartFile.header(path)
        guard header.identity == identity else {
            throw StepperError.input(path: path, variable: nil, detail: "written by another run (\(header.identity)); "
                                     + "give this run (\(identity)) its own --restart-dir")
        }
        return header.day < request.days ? try RestartFile.read(path, into: stepper) : nil
    }

    /// What makes two runs the same run: the configuration's content, init, forcing, length, precision, output.
    static func runIdentity(_ request: SimulationRequest) throws -> String {
        guard let data = FileManager.default.contents(atPath: request.configuration) else {
            throw StepperError.missing(path: request.configuration)
        }
        var checksum = ContentChecksum(.single)  // the form restart files made before eight chains carry
        checksum.add(data.lazy.map(Double.init))
        return "config \(checksum.text) init \(request.initial ?? "-") forcing \(request.forcing ?? "-") "
            + "days \(request.days) precision \(request.precision.rawValue) out \(request.output)"
    }

    static func outputVariable(_ v: OceanVariable) -> ForecastVariable {
        let range: ClosedRange<Double> = switch v {
        case .thetao: -5...40
        case .so: 0...45
        case .uo, .vo, .zos: -5...5
        }
        return ForecastVariable(name: v.rawValue, standardName: v.standardName, units: v.units, longName: v.longName,
                                hasDepth: v.hasDepth, packingRange: range)
    }

    /// Sets temperature, salinity, velocities (T points averaged to faces) and the free surface; returns the start.
    static func setInitialState(_ stepper: OceanStepper, request: SimulationRequest, configuration: StepperConfiguration) throws -> CFDateTime {
        let grid = stepper.grid, plane = grid.ny * grid.nx
        let start: CFDateTime
        if let file = request.initial, RestartFile.isRestart(file) {
            return try RestartFile.read(file, into: stepper).date
        }
        if let file = request.initial {
            let state = try InitialState.read(path: file, model: grid, start: request.start)
            let values = (0..<state.state.count).map { Double(state.state.pointer[$0]) }.map { $0.isFinite ? $0 : 0 }
            func block(_ v: OceanVariable) -> [Double] {
                let first = grid.channel(v) * plane
                return Array(values[first..<(first + (v.hasDepth ? grid.nz : 1) * plane)])
            }
            stepper.write(.t, block(.thetao))
            stepper.write(.s, block(.so))
            stepper.write(.eta, block(.zos))
            let uo = block(.uo), vo = block(.vo)
            var u = [Double](repeating: 0, count: uo.count), v = u
            for c in 0..<uo.count {
                let i = c % grid.nx, j = (c % plane) / grid.nx
                let east = i + 1 < grid.nx ? c + 1 : (grid.periodic ? c + 1 - grid.nx : c)
                u[c] = 0.5 * (uo[c] + uo[east])
                v[c] = j + 1 < grid.ny ? 0.5 * (vo[c] + vo[c + grid.nx]) : 0
            }
            stepper.write(.u, u)
            stepper.write(.v, v)
            stepper.resetBarotropicMode()
            start = state.referenceTime
        } else {
            let (t, s) = try InitialOcean.tracers(configuration.initial, grid: grid, path: request.configuration)
            stepper.write(.t, t)
            stepper.write(.s, s)
            start = try configuration.startDate(path: request.configuration)
        }
        stepper.write(.sssReference, Array(stepper.read(.s).prefix(plane)))
        return start
    }

    static func checkBlowUp(_ stepper: OceanStepper, day: Int, limit: Double) throws {
        let check = stepper.check(), grid = stepper.grid
        if let bad = check.nonFinite {
            throw StepperError.blowUp(day: day, variable: bad.variable, latitude: grid.latitudes[bad.j], longitude: grid.longitudes[bad.i],
                                      depth: bad.variable == "zos" ? 0 : grid.levels[bad.k], value: .nan)
        }
        if !(check.speed <= limit) {
            let at = check.speedAt
            throw StepperError.blowUp(day: day, variable: "speed", latitude: grid.latitudes[at.j], longitude: grid.longitudes[at.i],
                                      depth: grid.levels[at.k], value: check.speed)
        }
    }
}
