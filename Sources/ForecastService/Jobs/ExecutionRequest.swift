import Foundation
import OceanGrid
import Surrogate
import Tensor

/// The body of `POST /processes/forecast/execution`, checked field by field:
///
/// ```json
/// {"inputs": {"model": "sample", "init": "init.nc", "forcing": "forcing.nc", "days": 15,
///             "deflate": 1, "pack": "int16", "forcing_mode": "strict", "variables": {"thetao": "votemper"},
///             "precision": "bf16", "quantize": {"thetao": 12}, "members": 8, "perturbation": "bred", "seed": 3,
///             "perturbation_scale": 1.5, "ensemble_statistics": true}}
/// ```
///
/// `model`, `init` and `forcing` are required; `days` defaults to 15, `deflate` to 1, `forcing_mode` to strict.
/// `quantize` is significant bits for every state variable (a number) or per variable (an object).
/// Unknown fields are refused, so that a misspelt option is not silently ignored. Here only the JSON is checked
/// (types, files inside the data roots); the forecast's own rules are ``ForecastRequest/validate()``'s.
enum ExecutionRequest {
    static let knownInputs = APIDocuments.inputNames

    /// The job inputs `body` asks for, with paths resolved inside `roots`.
    static func parse(_ body: Data, models: Set<String>, roots: DataRoots) throws -> JobInputs {
        guard let object = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            throw Problem.badRequest("the body is not valid JSON")
        }
        if let key = DuplicateKeys.first(in: body) {
            throw Problem.badRequest("the key \"\(key)\" appears twice in one object; each key must appear once")
        }
        guard case .object(let top) = object, case .object(let inputs)? = top["inputs"] else {
            throw Problem.badRequest("the body must be an object with an \"inputs\" object", field: "/inputs")
        }
        if let unknown = inputs.keys.sorted().first(where: { !knownInputs.contains($0) }) {
            throw Problem.badRequest("unknown input '\(unknown)'; known: \(knownInputs.sorted().joined(separator: ", "))",
                                     field: "/inputs/\(unknown)")
        }
        func string(_ key: String) throws -> String? {
            guard let value = inputs[key] else { return nil }
            guard case .string(let text) = value else { throw Problem.badRequest("\(key) must be a string", field: "/inputs/\(key)") }
            return text
        }
        func required(_ key: String) throws -> String {
            guard let text = try string(key) else { throw Problem.badRequest("\(key) is required", field: "/inputs/\(key)") }
            return text
        }
        func integer(_ key: String, default value: Int) throws -> Int {
            guard let raw = inputs[key] else { return value }
            guard case .number(let number) = raw, let int = Int(exactly: number) else {
                throw Problem.badRequest("\(key) must be an integer", field: "/inputs/\(key)")
            }
            return int
        }
        func choice<Value: RawRepresentable<String> & CaseIterable>(_ key: String) throws -> Value? {
            guard let text = try string(key) else { return nil }
            guard let value = Value(rawValue: text) else {
                let known = Value.allCases.map(\.rawValue).joined(separator: ", ")
                throw Problem.badRequest("\(key) is one of \(known), got '\(text)'", field: "/inputs/\(key)")
            }
            return value
        }
        let model = try required("model")
        guard models.contains(model) else {
            throw Problem.badRequest("unknown model '\(model)'; loaded: \(models.sorted().joined(separator: ", "))", field: "/inputs/model")
        }
        var variables: [String: String] = [:]
        if let raw = inputs["variables"] {
            let problem = Problem.badRequest("variables must map state variables to names, e.g. {\"thetao\": \"votemper\"}",
                                             field: "/inputs/variables")
            guard case .object(let object) = raw else { throw problem }
            variables = object.compactMapValues(\.string)
            guard variables.count == object.count else { throw problem }
        }
        var quantize: [String: Int]?
        if let raw = inputs["quantize"] {
            let problem = Problem.badRequest("quantize is significant bits, a number for every state variable or an object such as "
                                             + "{\"thetao\": 12}", field: "/inputs/quantize")
            switch raw {
            case .number(let number):
                guard let bits = Int(exactly: number) else { throw problem }
                quantize = Dictionary(uniqueKeysWithValues: OceanVariable.allCases.map { ($0.rawValue, bits) })
            case .object(let object):
                quantize = object.compactMapValues { value in
                    if case .number(let number) = value { return Int(exactly: number) } else { return nil }
                }
                guard quantize?.count == object.count else { throw problem }
            default:
                throw problem
            }
        }
        var parsed = JobInputs(model: model,
                               initial: try roots.resolve(try required("init"), field: "/inputs/init"),
                               forcing: try roots.resolve(try required("forcing"), field: "/inputs/forcing"),
                               days: try integer("days", default: 15), deflate: try integer("deflate", default: 1),
                               pack: try choice("pack"), forcingMode: try choice("forcing_mode") ?? .strict, variables: variables,
                               start: try string("start"), precision: try choice("precision"))
        parsed.quantize = quantize
        parsed.accumulationPeriod = try string("accumulation_period")
        if inputs["members"] != nil { parsed.members = try integer("members", default: 1) }
        parsed.perturbation = try choice("perturbation")
        if let raw = inputs["seed"] {
            guard case .number(let number) = raw, number >= 0, let seed = UInt64(exactly: number) else {
                throw Problem.badRequest("seed must be a whole number from 0", field: "/inputs/seed")
            }
            parsed.seed = seed
        }
        if let raw = inputs["perturbation_scale"] {
            let problem = Problem.badRequest("perturbation_scale is a number for every variable or an object such as {\"zos\": 1.5}",
                                             field: "/inputs/perturbation_scale")
            switch raw {
            case .number(let number): parsed.perturbationScale = .all(Float(number))
            case .object(let object):
                let values = object.compactMapValues { value -> Float? in if case .number(let n) = value { Float(n) } else { nil } }
                guard values.count == object.count, values.keys.allSatisfy({ OceanVariable(rawValue: $0) != nil }) else { throw problem }
                parsed.perturbationScale = .perVariable(values)
            default: throw problem
            }
        }
        if let raw = inputs["ensemble_statistics"] {
            guard case .bool(let flag) = raw else { throw Problem.badRequest("ensemble_statistics must be true or false", field: "/inputs/ensemble_statistics") }
            parsed.ensembleStatistics = flag
        }
        if let precision = parsed.precision {
            do { _ = try precision.resolve() } catch {
                throw Problem.badRequest("\(error)", field: "/inputs/precision")
            }
        }
        do {
            try parsed.request(modelFolder: model, output: resultPlaceholder).validate()
        } catch let error as ForecastRequestError {
            throw Problem.badRequest("\(error.field.rawValue) \(error.problem)", field: "/inputs/\(error.field.rawValue)")
        }
        return parsed
    }

    /// Stands for the result file while the inputs are checked: results live in the state folder, never in a data root.
    private static let resultPlaceholder = "{result}"
}

/// A JSON document as parsed, before it is checked against what a field expects.
enum JSONValue: Decodable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var string: String? { if case .string(let text) = self { text } else { nil } }
}
