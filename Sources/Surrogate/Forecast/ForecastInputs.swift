import Foundation
import NetCDF
import OceanGrid
import Tensor

/// Everything a forecast reads before it computes: the model, the initial state, the forcing and the output's
/// layout, each checked. Preparing them is the first step of ``ForecastJob``; nothing is computed and no output
/// is created until it has succeeded.
struct ForecastInputs {
    let model: ForecastModel
    let initial: InitialState
    let forcing: AtmosphereForcing
    let layout: ForecastLayout
    /// Seconds the model's load and the probe took (the rest of the start-up is measured by the caller).
    private(set) var startup = StartupTimings()
    /// What the training mask says of the initial state's ocean, when they differ.
    let maskNote: String?
    /// The network's precision, and why.
    var precisionNote: String {
        "network precision \(model.surrogate.precision) (\(model.surrogate.precisionSource)), instruction path \(ProcessorCapabilities.taken)"
    }

    /// Reads and checks every input of `request`; `loaded` replaces loading `request.model`, `probe` reads the
    /// init and forcing files in child processes (while the model loads) before this process opens them.
    /// `shouldStop` can end the probe's wait early (``ForecastError/interrupted(path:day:)`` before day 1).
    init(_ request: ForecastRequest, model loaded: ForecastModel?, pool: ThreadPool, probe: InputProbe?,
         shouldStop: () -> Bool = { false }) throws {
        // The model loads while the probe's children read the files, and the init is read while the forcing's
        // child goes on. A damaged input is still reported before a problem of the model, as when one followed
        // the other.
        let probing = try probe?.start([request.initial, request.forcing])
        var loading: Result<ForecastModel, any Error>!
        let modelSeconds = ForecastTimings.measure {
            loading = Result { try loaded ?? ForecastModel(folder: request.model, pool: pool, precision: request.precision) }
        }
        var probeSeconds = 0.0
        func waitForProbe(_ paths: [String]?) throws {
            do {
                probeSeconds += try ForecastTimings.measure { try probing?.wait(for: paths, shouldStop: shouldStop) }
            } catch is InputProbe.Stopped {
                throw ForecastError.interrupted(path: request.output, day: 1)
            }
        }
        var loadingFailed = false
        if case .failure = loading { loadingFailed = true }
        try waitForProbe(loadingFailed ? nil : [request.initial])
        model = try loading.get()
        initial = try InitialState.read(path: request.initial, model: model, names: request.stateNames, start: request.start,
                                        parallel: pool.tasks)
        try waitForProbe([request.forcing])
        forcing = try AtmosphereForcing(path: request.forcing, model: model, accumulation: request.accumulation)
        startup.model = modelSeconds
        startup.probe = probeSeconds
        maskNote = model.trainingMask?.disagreement(with: initial.state, path: request.initial)
        if request.forcingMode == .strict {
            let missing = forcing.missingDays(after: initial.referenceTime, days: request.days)
            if !missing.isEmpty { throw ForecastError.forcingDaysMissing(path: request.forcing, missing: missing.map(\.description)) }
        }
        var layout = Self.layout(model: model, request: request, reference: initial.referenceTime)
        if request.recordInputs {
            layout.inputs = try InputIdentity.of(initial: request.initial, forcing: request.forcing, start: request.start)
        }
        self.layout = layout
    }

    /// The output file's definition: every state variable, packed within the model's channel ranges.
    static func layout(model: ForecastModel, request: ForecastRequest, reference: CFDateTime) -> ForecastLayout {
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
        layout.quantizeBits = Dictionary(uniqueKeysWithValues: request.quantizeBits.map { ($0.key.rawValue, $0.value) })
        layout.source = "forecastd, model \((model.folder as NSString).lastPathComponent)"
        layout.precision = model.surrogate.precision.rawValue
        layout.instructionPath = ProcessorCapabilities.taken.description
        layout.history = request.history
        return layout
    }
}
