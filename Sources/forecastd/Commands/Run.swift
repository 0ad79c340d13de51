import ArgumentParser
import Foundation
import NetCDF
import OceanModel

/// `forecastd run`: the forecast from an initial state and a forcing file, NetCDF to NetCDF.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forecast the ocean: initial state + atmospheric forcing -> CF NetCDF forecast, one day per step.",
        discussion: """
            Every input is checked before anything is computed; the output is written under a temporary name and \
            renamed when complete. Progress goes to stderr: a line per day on a terminal, key=value log lines \
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

    @Option(help: "Pack variables as int16 with scale and offset (the only value: int16).")
    var pack: String?

    @Option(help: "Deflate level of the output, 0-9.")
    var deflate = 1

    @Option(name: .customLong("var"), help: "Name of a state variable in the init file, e.g. thetao=votemper (repeatable).")
    var variables: [String] = []

    @Option(help: "Days the forcing lacks: strict (error), persist (latest earlier day) or climatology (mean of the file).")
    var forcingMode = "strict"

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        if let pack, pack != "int16" { throw ValidationError("--pack takes int16, got '\(pack)'") }
        guard (0...9).contains(deflate) else { throw ValidationError("--deflate must be 0-9, got \(deflate)") }
        guard ForcingMode(rawValue: forcingMode) != nil else {
            throw ValidationError("--forcing-mode is strict, persist or climatology, got '\(forcingMode)'")
        }
        _ = try stateNames()
    }

    func stateNames() throws -> [OceanVariable: String] {
        var names: [OceanVariable: String] = [:]
        for entry in variables {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let variable = OceanVariable(rawValue: parts[0]), !parts[1].isEmpty else {
                throw ValidationError("--var takes VARIABLE=NAME with VARIABLE one of uo, vo, thetao, so, zos; got '\(entry)'")
            }
            names[variable] = parts[1]
        }
        return names
    }

    func run() throws {
        try Forecastd.checkProcessor()
        var request = ForecastRequest(model: model, initial: initial, forcing: forcing, output: out)
        request.days = days
        request.perDayFiles = perDayFiles
        request.encoding = pack == nil ? .float32 : .int16
        request.deflateLevel = deflate
        request.stateNames = try stateNames()
        request.forcingMode = ForcingMode(rawValue: forcingMode)!
        request.history = ISO8601DateFormatter().string(from: Date()) + ": " + CommandLine.arguments.joined(separator: " ")
        let log = ProgressLog()
        try reportingFailures {
            let summary = try ForecastJob.run(request, pool: compute.pool, progress: { log.day($0) })
            log.finish(summary)
        }
    }
}
