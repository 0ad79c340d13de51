import OceanGrid
import Foundation
import NetCDF
import Tensor

/// Seconds spent in each phase of a forecast.
public struct ForecastTimings: Sendable, Codable {
    public var read = 0.0, fluxes = 0.0, network = 0.0, write = 0.0

    public init() {}
    public var total: Double { read + fluxes + network + write }

    /// Seconds since `start` (a `DispatchTime` uptime in nanoseconds).
    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// Seconds `body` takes.
    static func measure(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return seconds(since: start)
    }

    /// Adds another period's seconds phase by phase.
    public mutating func add(_ other: ForecastTimings) {
        read += other.read
        fluxes += other.fluxes
        network += other.network
        write += other.write
    }
}

/// Seconds from a forecast's start to its first day's compute, step by step.
public struct StartupTimings: Sendable, Codable {
    /// Loading the model: weights read, checked and packed (0 when a daemon's loaded model was given).
    public var model = 0.0
    /// Waiting for the probe's children after the model had loaded (they read the init and forcing meanwhile; the
    /// init is read while the forcing's child goes on).
    public var probe = 0.0
    /// Reading and checking the initial state, opening the forcing, planning and creating the output.
    public var inputs = 0.0

    public init() {}
    public var total: Double { model + probe + inputs }
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
    /// Where the time before the first day's compute went (part of `timings.read`).
    public let startup: StartupTimings
    /// Matches and conversions made while reading the inputs.
    public let notes: [String]
}

/// A whole forecast from NetCDF to NetCDF in three steps: prepare (``ForecastInputs``: every input read and
/// checked), then the sink (``ForecastSink``: where the days go), then the rollout loop, which reads the next
/// day's forcing while a day computes (``ForcingPrefetch``). Nothing is computed
/// before every input has been checked, and no output file exists under its final name unless it is complete.
public enum ForecastJob {
    /// `shouldStop` is asked before every day; when it says yes the run ends with ``ForecastError/interrupted``
    /// and removes its unfinished output. `model`, when given, is used instead of loading `request.model` (a
    /// daemon keeps its models loaded); it must have been loaded with `pool`. `probe`, when given, reads the init
    /// and forcing files in a child process before this one opens them (a damaged file can crash netCDF-C).
    public static func run(_ request: ForecastRequest, model loaded: ForecastModel? = nil, pool: ThreadPool = .shared,
                           probe: InputProbe? = nil, shouldStop: () -> Bool = { false },
                           progress: (ForecastProgress) -> Void = { _ in }) throws -> ForecastSummary {
        try request.validate()
        let start = DispatchTime.now().uptimeNanoseconds
        let inputs = try ForecastInputs(request, model: loaded, pool: pool, probe: probe, shouldStop: shouldStop)
        let ensemble = request.ensemble, grid = inputs.initial.state.shape
        try ensemble.requireForcing(inputs.forcing)
        try ensemble.requireMemory(inputs.model.surrogate.configuration, height: grid[1], width: grid[2],
                                   weights: Double(inputs.model.surrogate.weightBytes))
        let rollout = Rollout(model: inputs.model, initial: inputs.initial.state, members: ensemble.members, pool: pool)
        let writes = DayWriterQueue()
        let sinks = try EnsembleOutput.all(request, layout: inputs.layout).map { output in
            (sink: try ForecastSink(request: output.request, layout: output.layout, rollout: rollout, writes: writes, pool: pool),
             kind: output.kind)
        }
        if ensemble.members > 1 {
            try EnsembleOutput.perturb(rollout, request: request, forcing: inputs.forcing, reference: inputs.initial.referenceTime,
                                       initial: inputs.initial.state)
        }
        var timings = ForecastTimings()
        timings.read = ForecastTimings.seconds(since: start)
        var startup = inputs.startup
        startup.inputs = timings.read - startup.model - startup.probe
        let forcing = ForcingPrefetch(forcing: inputs.forcing, mode: request.forcingMode, reference: inputs.initial.referenceTime,
                                      ocean: rollout.surfaceOcean)
        for day in 1...request.days {
            if shouldStop() { throw ForecastError.interrupted(path: request.output, day: day) }
            let date = AtmosphereForcing.date(inputs.initial.referenceTime, plus: day)
            var dayTimings = ForecastTimings()
            let atmosphere: [AtmosphereDay]
            (atmosphere, dayTimings.read) = try forcing.take(day: day, last: request.days)
            dayTimings.fluxes = ForecastTimings.measure { rollout.computeFluxes(atmosphere: atmosphere) }
            dayTimings.network = try ForecastTimings.measure { try rollout.advance(day: day) }
            for (sink, kind) in sinks { dayTimings.write += try sink.write(day: day) { kind.fields($0, of: rollout) } }
            timings.add(dayTimings)
            progress(ForecastProgress(day: day, days: request.days, date: date, timings: dayTimings))
        }
        var outputs: [String] = []
        for (sink, _) in sinks {
            let (paths, waited) = try sink.finish()
            outputs += paths
            timings.write += waited
        }
        return ForecastSummary(outputs: outputs, referenceTime: inputs.initial.referenceTime, timings: timings, startup: startup,
                               notes: [inputs.precisionNote] + inputs.initial.notes + inputs.forcing.notes + [inputs.maskNote].compactMap { $0 })
    }
}
