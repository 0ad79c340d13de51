import OceanGrid
import Foundation
import NetCDF
import Tensor

/// Seconds spent in each phase of a forecast.
public struct ForecastTimings: Sendable, Codable {
    public var read = 0.0, fluxes = 0.0, network = 0.0, write = 0.0
    public var total: Double { read + fluxes + network + write }
}

/// One finished forecast day, for progress reporting.
public struct ForecastProgress: Sendable {
    public let day: Int
    public let days: Int
    public let date: CFDateTime
    public let timings: ForecastTimings
}

/// What a finished forecast produced.
public struct ForecastSummary: Sendable {
    public let outputs: [String]
    public let referenceTime: CFDateTime
    public let timings: ForecastTimings
    /// Matches and conversions made while reading the inputs.
    public let notes: [String]
}

/// A whole forecast from NetCDF to NetCDF: validate everything, then roll the model out day by day and stream
/// each day to the output. Nothing is computed before every input has been checked, and no output file
/// exists under its final name unless it is complete.
public enum ForecastJob {
    /// `shouldStop` is asked before every day; when it says yes the run ends with ``ForecastError/interrupted``
    /// and removes its unfinished output. `model`, when given, is used instead of loading `request.model` (a
    /// daemon keeps its models loaded); it must have been loaded with `pool`. `probe`, when given, reads the init
    /// and forcing files in a child process before this one opens them (a damaged file can crash netCDF-C).
    public static func run(_ request: ForecastRequest, model loaded: ForecastModel? = nil, pool: ThreadPool = .shared,
                           probe: InputProbe? = nil, shouldStop: () -> Bool = { false },
                           progress: (ForecastProgress) -> Void = { _ in }) throws -> ForecastSummary {
        try request.validate()
        try probe?.check(request.initial)
        try probe?.check(request.forcing)
        var timings = ForecastTimings()
        let start = DispatchTime.now().uptimeNanoseconds
        let model = try loaded ?? ForecastModel(folder: request.model, pool: pool)
        let initial = try InitialState.read(path: request.initial, model: model, names: request.stateNames)
        let forcing = try AtmosphereForcing(path: request.forcing, model: model)
        if request.forcingMode == .strict {
            let missing = forcing.missingDays(after: initial.referenceTime, days: request.days)
            if !missing.isEmpty { throw ForecastError.forcingDaysMissing(path: request.forcing, missing: missing.map(\.description)) }
        }
        let layout = try outputLayout(model: model, request: request, reference: initial.referenceTime)
        let folder = URL(fileURLWithPath: request.output).deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw NetCDFError.cannotWrite(path: request.output, detail: "folder \(folder) does not exist or is not writable")
        }
        let writes = DayWriterQueue()
        var writer = request.perDayFiles ? nil : try ForecastWriter(path: request.output, layout: layout)
        // On failure: let the writer thread finish its day, then remove the unfinished file.
        defer { _ = try? writes.drain(); writer?.abandon() }
        let rollout = Rollout(model: model, initial: initial.state, pool: pool)
        let cells = model.latitudes.count * model.longitudes.count
        let atmosphere = AtmosphereDay.zeros(cells: cells)
        timings.read = seconds(since: start)
        // Day k is written on the writer thread while day k + 1 is computed; "write" counts only the waits.
        let shared = Handoff(value: writer)
        let outputs = Handoff(value: OutputList())
        // Two output buffers in turn: day k fills one while the writer may still be writing day k - 1 from the other.
        let buffers = [rollout.makeOutputBuffers(), rollout.makeOutputBuffers()]
        for day in 1...request.days {
            if shouldStop() { throw ForecastError.interrupted(path: request.output, day: day) }
            let date = AtmosphereForcing.date(initial.referenceTime, plus: day)
            var dayTimings = ForecastTimings()
            dayTimings.read = try measure { try forcing.read(date, mode: request.forcingMode, into: atmosphere) }
            dayTimings.fluxes = measure { rollout.computeFluxes(atmosphere: atmosphere) }
            dayTimings.network = try measure { try rollout.advance() }
            let output = buffers[day % 2], lead = Double(24 * day)
            rollout.copyOutput(into: output)
            let path = request.perDayFiles ? perDayPath(request.output, day: day) : request.output
            let dayLayout = Handoff(value: layout)
            dayTimings.write = try writes.submit {
                if let single = shared.value {
                    try single.writeDay(leadHours: lead, fields: output.writerFields)
                } else {
                    let file = try ForecastWriter(path: path, layout: dayLayout.value)
                    try file.writeDay(leadHours: lead, fields: output.writerFields)
                    try file.finish()
                    outputs.value.paths.append(path)
                }
            }
            timings.read += dayTimings.read
            timings.fluxes += dayTimings.fluxes
            timings.network += dayTimings.network
            timings.write += dayTimings.write
            progress(ForecastProgress(day: day, days: request.days, date: date, timings: dayTimings))
        }
        timings.write += try writes.drain()
        if let w = writer {
            let finish = DispatchTime.now().uptimeNanoseconds
            try w.finish()
            timings.write += seconds(since: finish)
            outputs.value.paths.append(request.output)
            writer = nil
        }
        return ForecastSummary(outputs: outputs.value.paths, referenceTime: initial.referenceTime, timings: timings,
                               notes: initial.notes + forcing.notes)
    }

    /// Output paths in the order they were completed (appended to on the writer thread).
    final class OutputList {
        var paths: [String] = []
    }

    /// `NAME_dayDD.nc` beside `NAME.nc`.
    static func perDayPath(_ output: String, day: Int) -> String {
        let url = URL(fileURLWithPath: output)
        let stem = url.deletingPathExtension().lastPathComponent, ext = url.pathExtension.isEmpty ? "nc" : url.pathExtension
        return url.deletingLastPathComponent().appendingPathComponent(stem + String(format: "_day%02d.", day) + ext).path
    }

    static func outputLayout(model: ForecastModel, request: ForecastRequest, reference: CFDateTime) throws -> ForecastLayout {
        let variables = OceanVariable.allCases.map { v -> ForecastVariable in
            let channels = v.hasDepth ? (0..<model.levels.count).map { model.channel(v, level: $0) } : [model.channel(v)]
            let low = channels.map { Double(model.stateLower[$0]) }.min()!, high = channels.map { Double(model.stateUpper[$0]) }.max()!
            return ForecastVariable(name: v.rawValue, standardName: v.standardName, units: v.units, longName: v.longName,
                                    hasDepth: v.hasDepth, packingRange: low...high)
        }
        var layout = ForecastLayout(latitudes: model.latitudes, longitudes: model.longitudes, depths: model.levels,
                                    variables: variables, referenceTime: reference)
        layout.encoding = request.encoding
        layout.deflateLevel = request.deflateLevel
        layout.source = "forecastd, model \((model.folder as NSString).lastPathComponent)"
        layout.history = request.history
        return layout
    }

    private static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    private static func measure(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return seconds(since: start)
    }
}
