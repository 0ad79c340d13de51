import ArgumentParser
import NetCDF
import OceanGrid
import OceanStepper
import Surrogate

/// `forecastd atmosphere`: the seeded synthetic atmosphere on a stepper configuration's grid, as a forcing file.
struct Atmosphere: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the synthetic atmosphere (u10 v10 msl t2m d2m ssr strd mtpr, daily means) on a configuration's grid.",
        discussion: """
            Days START+1 ... START+DAYS, each the mean of the 24 hours ending at its date: the days a forecast or a \
            stepper run from START reads. The same seed gives the same fields for a day whatever range it is written \
            in; the seed defaults to the configuration's forcing.seed (else 1). Exit codes: 78 configuration, 66 \
            missing file, 73 output not writable.
            """
    )

    @Option(help: "Stepper configuration (JSON) whose grid the atmosphere is made on.")
    var config: String

    @Option(help: "The day before the first forcing day (YYYY-MM-DD).")
    var start: String

    @Option(help: "Number of days.")
    var days: Int

    @Option(help: "Seed of the weather (default: the configuration's forcing.seed, else 1).")
    var seed: UInt64?

    @Option(help: "Output file.")
    var out: String

    func validate() throws {
        guard CFDateTime(parsing: start) != nil else { throw ValidationError("--start: '\(start)' is not YYYY-MM-DD") }
        guard days >= 1 else { throw ValidationError("--days must be at least 1") }
    }

    func run() throws {
        try reportingFailures {
            let configuration = try StepperConfiguration.load(config)
            let grid = try StepperGrid(configuration, path: config)
            let atmosphere = SyntheticAtmosphere(latitudes: grid.latitudes, longitudes: grid.longitudes,
                                                 seed: seed ?? configuration.forcing?.seed ?? 1)
            let log = ProgressLog()
            try atmosphere.write(path: out, start: CFDateTime(parsing: start)!, days: days) { log.simulated(day: $0, of: days) }
        }
    }
}
