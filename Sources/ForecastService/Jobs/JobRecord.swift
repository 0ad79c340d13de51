import Foundation
import OceanGrid
import Surrogate
import Tensor

/// A job's state in the OGC API - Processes vocabulary.
public enum JobStatus: String, Codable, Sendable, CaseIterable {
    /// Waiting in the queue.
    case accepted
    /// Computing.
    case running
    /// Finished; the result file is available.
    case successful
    /// Stopped by an error; `message` says why.
    case failed
    /// Cancelled by `DELETE /jobs/{id}`; nothing of it is kept.
    case dismissed

    /// Whether the job will change no more.
    public var isFinal: Bool { self == .successful || self == .failed || self == .dismissed }
}

/// What a forecast job was asked to compute: the validated inputs of `POST /processes/forecast/execution`.
/// Paths are the resolved real paths inside a data root.
public struct JobInputs: Codable, Sendable, Equatable {
    public var model: String
    public var initial: String
    public var forcing: String
    public var days: Int
    public var deflate: Int
    /// Storage of the variables; nil: Float32.
    public var pack: ForecastEncoding?
    public var forcingMode: ForcingMode
    /// Variable names in the init file (`thetao` -> `votemper`).
    public var variables: [String: String]
    /// The init file's time to start from; nil: its only time.
    public var start: String?
    /// The network's precision; nil: the service's default.
    public var precision: PrecisionChoice?
    /// Significant bits kept per state variable (BitRound); nil or empty: lossless.
    public var quantize: [String: Int]?
    /// The period the forcing's accumulated fields sum over ("1h"), when the file does not state it.
    public var accumulationPeriod: String?
    /// An ensemble's members, perturbation, seed, perturbation scale and statistics files; nil: the defaults
    /// (one member, a deterministic forecast).
    public var members: Int?
    public var perturbation: Perturbation?
    public var seed: UInt64?
    public var perturbationScale: PerturbationScale?
    public var ensembleStatistics: Bool?

    enum CodingKeys: String, CodingKey {
        case model, initial = "init", forcing, days, deflate, pack, forcingMode = "forcing_mode", variables, start, precision, quantize
        case accumulationPeriod = "accumulation_period", members, perturbation, seed, perturbationScale = "perturbation_scale"
        case ensembleStatistics = "ensemble_statistics"
    }

    /// The ensemble these inputs ask for.
    public var ensemble: EnsembleOptions {
        var options = EnsembleOptions()
        options.members = members ?? options.members
        options.perturbation = perturbation ?? options.perturbation
        options.seed = seed ?? options.seed
        switch perturbationScale {
        case .all(let value)?: options.amplitude = value
        case .perVariable(let values)?:
            for (name, value) in values { if let variable = OceanVariable(rawValue: name) { options.variableAmplitudes[variable] = value } }
        case nil: break
        }
        options.statistics = ensembleStatistics ?? options.statistics
        return options
    }

    /// The forecast these inputs ask for, with the model in `modelFolder`, written to `output`.
    func request(modelFolder: String, output: String) throws -> ForecastRequest {
        var request = ForecastRequest(model: modelFolder, initial: initial, forcing: forcing, output: output)
        request.days = days
        request.deflateLevel = deflate
        request.encoding = pack ?? .float32
        request.forcingMode = forcingMode
        request.stateNames = try ForecastRequest.stateNames(variables)
        request.start = start
        request.precision = precision
        request.quantizeBits = try ForecastRequest.quantizeBits(entries: (quantize ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        request.accumulation = try accumulationPeriod.map(ForecastRequest.accumulationPeriod)
        request.ensemble = ensemble
        return request
    }
}

/// A job's `perturbation_scale`: one number for every variable, or an object of numbers per variable.
public enum PerturbationScale: Codable, Sendable, Equatable {
    case all(Float)
    case perVariable([String: Float])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Float.self) { self = .all(value) } else { self = .perVariable(try container.decode([String: Float].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .all(let value): try container.encode(value)
        case .perVariable(let values): try container.encode(values)
        }
    }
}

/// One job, as persisted in the journal and shown by `GET /jobs/{id}`.
public struct JobRecord: Codable, Sendable {
    public var id: String
    public var status: JobStatus
    public var inputs: JobInputs
    public var created: Date
    public var started: Date?
    public var finished: Date?
    public var updated: Date
    /// Forecast days finished in the current attempt.
    public var day: Int
    /// Human-readable state: the error for a failed job, why a job was re-queued.
    public var message: String?
    /// How many times the job has been started (a job interrupted by the service stopping runs again).
    public var attempts: Int
    /// Seconds per phase of the finished forecast.
    public var timings: ForecastTimings?
    /// Size of the result file in bytes, once successful.
    public var resultBytes: Int?

    public init(id: String, inputs: JobInputs, created: Date) {
        self.id = id
        self.inputs = inputs
        self.created = created
        updated = created
        status = .accepted
        day = 0
        attempts = 0
    }
}
