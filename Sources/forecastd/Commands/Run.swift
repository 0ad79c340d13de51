import ArgumentParser
import Foundation
import NetCDF
import OceanGrid
import OceanStepper
import Surrogate

/// `forecastd run`: the forecast from an initial state and a forcing file, NetCDF to NetCDF.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forecast the ocean: initial state + atmospheric forcing -> CF NetCDF forecast, one day per step.",
        discussion: """
            Every input is checked before anything is computed; the output is written under a temporary name and \
            renamed when complete. SIGINT, SIGTERM or SIGHUP stop the forecast at the next day with no file left \
            behind (exit 75). Progress goes to stderr: a line per day on a terminal, key=value log lines \
            otherwise; at the end, the time per phase and the peak memory.
            """
    )

    @Option(help: "Model folder (config.json with a forecast block, model.safetensors, normalization.safetensors).")
    var model: String

    @Option(name: .customLong("init"), help: "Initial state (CF NetCDF: thetao, so, uo, vo, zos).")
    var initial: String

    @Option(help: "Daily atmospheric forcing (u10, v10, msl, t2m, d2m, ssr, strd, mtpr) covering every forecast day.")
    var forcing: String

    @Option(help: "Forecast length in days.")
    var days = 15

    @Option(help: "Output NetCDF file.")
    var out: String

    @Flag(help: "One file per day (OUT_day01.nc ...) instead of one file.")
    var perDayFiles = false

    @Option(help: "Names of per-day files: numbered (OUT_day01.nc ...) or wenhai (as WenHai's pipeline: OUT a folder, OUT/fcstYYYYMMDD/fcstYYYYMMDD_leadN.nc); implies --per-day-files.")
    var dayFileNames: DayFileNames?

    @Option(help: "Storage of the variables: float32, or int16 with scale and offset (as CMEMS ships).")
    var pack: ForecastEncoding = .float32

    @Option(help: "Deflate level of the output, 0-9.")
    var deflate = 1

    @Option(name: .customLong("var"), help: "Name of a state variable in the init file, e.g. thetao=votemper (repeatable).")
    var variables: [String] = []

    @Option(help: "Days the forcing lacks: strict (error), persist (latest earlier day) or climatology (mean of the file).")
    var forcingMode: ForcingMode = .strict

    @Option(help: "The init file's time to start from (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS); needed when it holds several times, or gives the date of a single time whose units have none.")
    var start: String?

    @Flag(help: "Record each input's path, size and content hash in the output (attribute forecastd_inputs), as batch does to skip only forecasts of the same inputs.")
    var recordInputs = false

    @OptionGroup var precision: PrecisionOption

    @OptionGroup var quantize: QuantizeOption

    @OptionGroup var accumulation: AccumulationOption

    @OptionGroup var ensemble: EnsembleOption

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        try request().validateFlags()
    }

    /// The forecast these flags ask for.
    func request() throws -> ForecastRequest {
        var request = ForecastRequest(model: model, initial: initial, forcing: forcing, output: out)
        request.days = days
        request.perDayFiles = perDayFiles || dayFileNames != nil
        request.dayFileNames = dayFileNames ?? .numbered
        request.encoding = pack
        request.deflateLevel = deflate
        request.stateNames = try withFlags { try ForecastRequest.stateNames(pairs: variables) }
        request.forcingMode = forcingMode
        request.start = start
        request.recordInputs = recordInputs
        request.precision = precision.precision
        request.quantizeBits = try quantize.bits()
        request.accumulation = try accumulation.period()
        request.ensemble = try ensemble.options()
        request.history = ForecastRequest.commandLineHistory
        return request
    }

    func run() throws {
        let request = try request()
        let log = ProgressLog(), stop = StopSignals()
        try reportingFailures {
            let launch = secondsSinceExec()
            let summary = try ForecastJob.run(request, pool: compute.pool, probe: Probe.child, shouldStop: { stop.isRequested },
                                              progress: { log.day($0) })
            log.finish(summary, launch: launch)
        }
    }
}
