import OceanGrid
import Foundation
import NetCDF
import Tensor

/// What `forecastd simulate --config` runs.
public struct SimulationRequest: Sendable {
    public var configuration: String
    /// Initial state file (CMEMS-style, on the configuration's grid); without it the configuration's `initial`.
    public var initial: String?
    /// Atmosphere file for `bulk` forcing.
    public var forcing: String?
    public var days: Int
    public var output: String
    public var precision: StepperPrecision = .float32
    /// Folder for restart files and the daily means up to them; a run finding its own restart there resumes.
    public var restartDirectory: String?

    public init(configuration: String, initial: String?, forcing: String?, days: Int, output: String) {
        (self.configuration, self.initial, self.forcing, self.days, self.output) = (configuration, initial, forcing, days, output)
    }
}

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

    public static func run(_ request: SimulationRequest, pool: ThreadPool = .shared,
                           resumedFrom: (_ day: Int) -> Void = { _ in },
                           progress: (_ day: Int, _ days: Int) -> Void = { _, _ in }) throws -> Summary {
        let path = request.configuration
        let configuration = try StepperConfiguration.load(path)
        let grid = try StepperGrid(configuration, path: path)
        let physics = StepperPhysics(configuration.physics)
        let dt = configuration.time.stepSeconds
        guard dt > 0, (86_400 / dt).rounded() == 86_400 / dt else {
            throw StepperError.configuration(path: path, field: "time.step_seconds", detail: "\(dt) s does not divide a day")
        }
        try checkStability(grid: grid, physics: physics, timeStep: dt, path: path)
        let stepper = OceanStepper(grid: grid, physics: physics, timeStep: dt,
                                   barotropicCourant: configuration.time.barotropicCourant ?? 0.7, precision: request.precision, pool: pool)
        let identity = try runIdentity(request)
        var resumed: RestartFile.Header?
        if let folder = request.restartDirectory {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let path = SimulationOutput.restartPath(folder)
            if FileManager.default.fileExists(atPath: path) {
                let header = try RestartFile.header(path)
                guard header.identity == identity else {
                    throw StepperError.input(path: path, variable: nil, detail: "written by another run (\(header.identity)); "
                                             + "give this run (\(identity)) its own --restart-dir")
                }
                if header.day < request.days { resumed = try RestartFile.read(path, into: stepper) }
            }
        }
        let start = try resumed.map(\.reference) ?? setInitialState(stepper, request: request, configuration: configuration)
        let forcing = try SurfaceForcing(configuration.forcing, grid: grid, atmosphere: request.forcing, path: path)
        let layout = ForecastLayout(latitudes: grid.latitudes, longitudes: grid.longitudes, depths: grid.levels,
                                    variables: OceanVariable.allCases.map(Self.outputVariable), referenceTime: start)
        var output = layout
        output.title = "forecastd stepper daily means"
        output.source = "forecastd simulate, \((path as NSString).lastPathComponent)"
        let sink = try SimulationOutput(output: request.output, layout: output, days: request.days,
                                        restartFolder: request.restartDirectory, interval: configuration.time.restartDays ?? 30)
        defer { sink.abandon() }
        let first = (resumed?.day ?? 0) + 1
        try sink.resume(after: first - 1)
        if first > 1 { resumedFrom(first - 1) }
        let stepsPerDay = Int((86_400 / dt).rounded()), every = max(1, configuration.forcing?.fluxEverySteps ?? stepsPerDay / 24)
        let clock = DispatchTime.now().uptimeNanoseconds, stepsBefore = stepper.steps
        for day in first...request.days {
            let date = AtmosphereForcing.date(start, plus: day)
            for n in 0..<stepsPerDay {
                if n % every == 0 { try forcing.apply(to: stepper, date: date) }
                stepper.step()
                stepper.accumulate()
            }
            try checkBlowUp(stepper, day: day, limit: physics.speedLimit)
            let means = stepper.takeMean()
            try sink.write(day: day, means: Dictionary(uniqueKeysWithValues: means.map { ($0.key.rawValue, $0.value) }))
            _ = try sink.checkpoint(day: day, stepper: stepper, reference: start, identity: identity)
            progress(day, request.days)
        }
        try sink.finish()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
        return Summary(days: request.days - first + 1, steps: stepper.steps - stepsBefore, cells: grid.wetLevels.reduce(0, +), seconds: seconds)
    }

    /// What makes two runs the same run: the configuration's content, init, forcing, length, precision, output.
    static func runIdentity(_ request: SimulationRequest) throws -> String {
        guard let data = FileManager.default.contents(atPath: request.configuration) else {
            throw StepperError.missing(path: request.configuration)
        }
        var checksum = ContentChecksum()
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

    /// The largest stable step for each explicit term; a step above any of them is refused before running.
    public static func stabilityLimits(grid: StepperGrid, physics: StepperPhysics) -> [(term: String, seconds: Double)] {
        let dx = grid.narrowestSpacing, dy = grid.dy, laplacian = 4 / (dx * dx) + 4 / (dy * dy)
        let f = grid.coriolis.map(abs).max()!
        var limits: [(String, Double)] = [("advection at \(physics.expectedMaxSpeed) m/s", 0.5 * dx / physics.expectedMaxSpeed)]
        if f > 0 { limits.append(("Coriolis (Adams-Bashforth 3)", 0.5 / f)) }
        if physics.viscosity > 0 { limits.append(("horizontal viscosity", 0.5 / (physics.viscosity * laplacian))) }
        if physics.diffusivity > 0 { limits.append(("horizontal diffusion", 1 / (physics.diffusivity * laplacian))) }
        return limits
    }

    static func checkStability(grid: StepperGrid, physics: StepperPhysics, timeStep: Double, path: String) throws {
        let limits = stabilityLimits(grid: grid, physics: physics)
        let tightest = limits.min { $0.seconds < $1.seconds }!
        if timeStep > tightest.seconds {
            throw StepperError.configuration(path: path, field: "time.step_seconds", detail: String(
                format: "%g s violates the %@ limit; the largest stable step is %.0f s", timeStep, tightest.term, tightest.seconds.rounded(.down)))
        }
    }

    /// Sets temperature, salinity, velocities (T points averaged to faces) and the free surface; returns the start.
    static func setInitialState(_ stepper: OceanStepper, request: SimulationRequest, configuration: StepperConfiguration) throws -> CFDateTime {
        let grid = stepper.grid, plane = grid.ny * grid.nx
        let start: CFDateTime
        if let file = request.initial, RestartFile.isRestart(file) {
            return try RestartFile.read(file, into: stepper).date
        }
        if let file = request.initial {
            let state = try InitialState.read(path: file, model: grid)
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
