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
    /// What the training mask says of the initial state's ocean, when they differ.
    let maskNote: String?
    /// The network's precision, and why.
    var precisionNote: String {
        "network precision \(model.surrogate.precision) (\(model.surrogate.precisionSource)), instruction path \(ProcessorCapabilities.taken)"
    }

    /// Reads and checks every input of `request`; `loaded` replaces loading `request.model`, `probe` reads the
    /// init and forcing files in a child process first.
    /// `shouldStop` can end the probe's wait early (``ForecastError/interrupted(path:day:)`` before day 1).
    init(_ request: ForecastRequest, model loaded: ForecastModel?, pool: ThreadPool, probe: InputProbe?,
         shouldStop: () -> Bool = { false }) throws {
        do {
            try probe?.check([request.initial, request.forcing], shouldStop: shouldStop)
        } catch is InputProbe.Stopped {
            throw ForecastError.interrupted(path: request.output, day: 1)
        }
        model = try loaded ?? ForecastModel(folder: request.model, pool: pool, precision: request.precision)
        initial = try InitialState.read(path: request.initial, model: model, names: request.stateNames, start: request.start)
        forcing = try AtmosphereForcing(path: request.forcing, model: model)
        maskNote = model.trainingMask?.disagreement(with: initial.state, path: request.initial)
        if request.forcingMode == .strict {
            let missing = forcing.missingDays(after: initial.referenceTime, days: request.days)
            if !missing.isEmpty { throw ForecastError.forcingDaysMissing(path: request.forcing, missing: missing.map(\.description)) }
        }
        var layout = Self.layout(model: model, request: request, reference: initial.referenceTime)
        layout.writerThreads = pool.threadCount
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
        layout.source = "forecastd, model \((model.folder as NSString).lastPathComponent)"
        layout.precision = model.surrogate.precision.rawValue
        layout.instructionPath = ProcessorCapabilities.taken.description
        layout.history = request.history
        return layout
    }
}
