import Foundation
import NetCDF

/// A forecast to verify: its name in the report and its file.
public struct VerifiedSystem: Sendable, Codable, Equatable {
    public var name: String
    public var path: String

    public init(name: String, path: String) {
        self.name = name
        self.path = path
    }
}

/// The skill of forecasts, and of persistence, against one truth file.
public struct SkillReport: Sendable, Codable {
    public var truth: String
    /// The init: persistence's forecast and the anomalies' base (nil when none was given).
    public var initial: String?
    /// The time leads are counted from.
    public var referenceTime: String
    /// What the anomaly correlation's anomalies are taken from.
    public var anomalies: String
    /// The systems in the order given; persistence last when there is an init.
    public var systems: [VerifiedSystem]
    /// The truth's units of each variable.
    public var units: [String: String]
    public var scores: [SkillScore]
    /// The ensembles verified, and their probabilistic scores (their means' RMSE, bias and ACC are in `scores`).
    public var ensembles: [VerifiedEnsemble] = []
    public var ensembleScores: [EnsembleScore] = []

    /// The name of persistence in ``systems``.
    public static let persistence = "persistence"

    /// The system with the lowest RMSE for the variable, depth and lead (nil when fewer than two have a score).
    public func winner(variable: String, depth: Double?, lead: Int) -> String? {
        let candidates = scores.filter { $0.variable == variable && $0.depth == depth && $0.lead == lead && $0.rmse.isFinite }
        guard candidates.count > 1 else { return nil }
        return candidates.min { $0.rmse < $1.rmse }?.system
    }
}

/// Verification against a truth file: cos-latitude weighted RMSE, bias and anomaly correlation per system,
/// variable, depth and lead day, each forecast's times matched to the truth's by date.
public enum SkillVerification {
    /// Scores `systems` (and persistence of `initial`, when given) against `truth`. Leads count whole days from
    /// `initial`'s time, or else from each forecast's `forecast_reference_time`. Throws
    /// ``ForecastError/inputData(path:variable:detail:)`` for files that cannot be verified together (another grid,
    /// unit or reference time, a variable missing, no time in common).
    /// `ensembles` get probabilistic scores (``EnsembleScore``) and their mean a row of its own.
    public static func verify(truth: String, systems: [VerifiedSystem], initial: String?, variables names: [String]? = nil,
                              leads: Set<Int>? = nil, ensembles: [VerifiedEnsemble] = []) throws -> SkillReport {
        let truthSet = try CFDataset(path: truth)
        let sets = try systems.map { try CFDataset(path: $0.path) }
        let memberSets = try ensembles.map { try $0.members.map { try CFDataset(path: $0) } }
        let initSet = try initial.map { try CFDataset(path: $0) }
        let chosen = try names ?? ForecastComparison.dataVariables(truthSet).filter { name in
            (sets + memberSets.joined() + [initSet].compactMap { $0 }).allSatisfy { set in set.variables.contains { $0.name == name } }
        }
        guard !chosen.isEmpty else {
            throw ForecastError.inputData(path: truth, variable: nil, detail: "shares no variable on a latitude-longitude grid with the files to verify")
        }
        let reference = try referenceTime(initSet, sets + memberSets.joined())
        var scores: [SkillScore] = [], units: [String: String] = [:], ensembleScores: [EnsembleScore] = []
        for name in chosen {
            let t = try truthSet.variable(name)
            units[name] = try t.attributes()["units"]?.text ?? ""
            let grid = try Grid(truthSet, t)
            let truthDates = try truthSet.timeAxis(of: t)?.dates ?? []
            guard !truthDates.isEmpty else {
                throw ForecastError.inputData(path: truth, variable: name, detail: "has no time axis: the truth needs the valid dates")
            }
            var base: [Int: [Float]] = [:]                            // the init per depth index
            let initVariable = try initSet.map { set in try matching(set, name, like: grid, truth: truthSet, t) }
            // Each forecast's variable, checked once, and its valid dates.
            let forecasts = try sets.map { set in
                let v = try matching(set, name, like: grid, truth: truthSet, t)
                return (v, try set.timeAxis(of: v)?.dates ?? [])
            }
            let members = try memberSets.map { sets in
                try sets.map { set in
                    let v = try matching(set, name, like: grid, truth: truthSet, t)
                    return (set, v, try set.timeAxis(of: v)?.dates ?? [])
                }
            }
            for (d, depth) in grid.depths.enumerated() {
                if let initSet, let initVariable {
                    base[d] = try grid.read(initSet, initVariable, time: 0, depth: d)
                }
                for (ti, date) in truthDates.enumerated() {
                    guard let lead = leadDay(date, from: reference), lead >= 1, leads?.contains(lead) ?? true else { continue }
                    let truthField = try grid.read(truthSet, t, time: ti, depth: d)
                    for (system, (set, (v, dates))) in zip(systems, zip(sets, forecasts)) {
                        guard let index = dates.firstIndex(where: { sameTime($0, date) }) else { continue }
                        let field = try grid.read(set, v, time: index, depth: d)
                        scores.append(score(system.name, name, depth, lead, date, field, truthField, base[d], grid))
                    }
                    for (ensemble, files) in zip(ensembles, members) {
                        let indices = files.map { $0.2.firstIndex(where: { sameTime($0, date) }) }
                        guard indices.allSatisfy({ $0 != nil }) else { continue }
                        let fields = try zip(files, indices).map { file, index in try grid.read(file.0, file.1, time: index!, depth: d) }
                        let sums = EnsembleSums(members: fields, truth: truthField, latitudes: grid.latitudes, width: grid.width)
                        ensembleScores.append(sums.score(ensemble: ensemble.name, variable: name, depth: depth, lead: lead, date: date.description))
                        let mean = truthField.indices.map { i in fields.reduce(Float(0)) { $0 + $1[i] } / Float(fields.count) }
                        scores.append(score(ensemble.meanName, name, depth, lead, date, mean, truthField, base[d], grid))
                    }
                    if let persistence = base[d] {
                        scores.append(score(SkillReport.persistence, name, depth, lead, date, persistence, truthField, base[d], grid))
                    }
                }
            }
        }
        guard !scores.isEmpty else {
            throw ForecastError.inputData(path: truth, variable: nil,
                                          detail: "holds no date one to \(leads.map { "\($0.max() ?? 0)" } ?? "any number of") days after the reference time \(reference) that the forecasts also hold")
        }
        var listed = systems + ensembles.map { VerifiedSystem(name: $0.meanName, path: "mean of \($0.members.count) members") }
        if let initial { listed.append(VerifiedSystem(name: SkillReport.persistence, path: initial)) }
        return SkillReport(truth: truth, initial: initial, referenceTime: reference.description,
                           anomalies: initial == nil ? "none (no init given: no anomaly correlation)" : "the init (the change since the reference time)",
                           systems: listed, units: units, scores: scores, ensembles: ensembles, ensembleScores: ensembleScores)
    }

    private static func score(_ system: String, _ variable: String, _ depth: Double?, _ lead: Int, _ date: CFDateTime,
                              _ field: [Float], _ truth: [Float], _ base: [Float]?, _ grid: Grid) -> SkillScore {
        let sums = ScoreSums(system: field, truth: truth, anomalyBase: base, latitudes: grid.latitudes, width: grid.width)
        return SkillScore(system: system, variable: variable, depth: depth, lead: lead, date: date.description,
                          rmse: sums.rmse, bias: sums.bias, acc: sums.acc, cells: sums.cells, missing: sums.missing)
    }

    /// Whole days from `reference` to `date`; nil when it is not a whole number of days (within a minute).
    static func leadDay(_ date: CFDateTime, from reference: CFDateTime) -> Int? {
        let days = ((date.secondsSince1970 - reference.secondsSince1970) / 86_400).rounded()
        return sameTime(date, CFDateTime(secondsSince1970: reference.secondsSince1970 + days * 86_400, calendar: date.calendar)) ? Int(days) : nil
    }

    /// Whether two times name the same moment, within the minute that files' rounding of times allows.
    static func sameTime(_ a: CFDateTime, _ b: CFDateTime) -> Bool { abs(a.secondsSince1970 - b.secondsSince1970) < 60 }

    /// The init's single time, else the forecasts' common `forecast_reference_time`.
    static func referenceTime(_ initial: CFDataset?, _ forecasts: [CFDataset]) throws -> CFDateTime {
        if let initial {
            let state = try ForecastComparison.dataVariables(initial).first.map(initial.variable)
            let dates = try state.flatMap { try initial.timeAxis(of: $0)?.dates } ?? []
            guard dates.count == 1 else {
                throw ForecastError.inputData(path: initial.path, variable: state?.name,
                                              detail: "has \(dates.count) times; the init must hold exactly one (the forecasts' start)")
            }
            return dates[0]
        }
        var found: CFDateTime?
        for set in forecasts {
            guard let time = try ForecastReference.time(of: set) else {
                throw ForecastError.inputData(path: set.path, variable: "forecast_reference_time",
                                              detail: "is missing, so the lead days are unknown: give the init the forecast started from")
            }
            if let found, found != time {
                throw ForecastError.inputData(path: set.path, variable: "forecast_reference_time",
                                              detail: "is \(time) where another forecast starts at \(found): verify forecasts of one start together")
            }
            found = time
        }
        guard let found else {
            throw ForecastError.inputData(path: "", variable: nil, detail: "nothing to verify: give forecasts, an init, or both")
        }
        return found
    }

    /// `name` in `set`, checked to lie on the truth's grid in the truth's units.
    static func matching(_ set: CFDataset, _ name: String, like grid: Grid, truth: CFDataset, _ t: Variable) throws -> Variable {
        guard let v = set.variables.first(where: { $0.name == name }) else {
            throw ForecastError.inputData(path: set.path, variable: name, detail: "is not in this file but is in the truth \(truth.path)")
        }
        let unitsT = try t.attributes()["units"]?.text ?? "", unitsV = try v.attributes()["units"]?.text ?? ""
        guard PhysicalQuantity.sameUnit(unitsT, unitsV) else {
            throw ForecastError.inputData(path: set.path, variable: name, detail: "is in '\(unitsV)' where the truth \(truth.path) has '\(unitsT)'")
        }
        try grid.requireSame(try Grid(set, v), path: set.path, variable: name, truth: truth.path)
        return v
    }
}

/// A variable's horizontal grid and levels, and reads of one (time, depth) plane of it.
struct Grid {
    var latitudes: [Double]
    var longitudes: [Double]
    /// Depths in m; `[nil]` for a surface field.
    var depths: [Double?]
    var width: Int { longitudes.count }

    init(_ set: CFDataset, _ v: Variable) throws {
        let kinds = try set.axisKinds(of: v)
        guard kinds.count >= 2, kinds[kinds.count - 2] == .latitude, kinds[kinds.count - 1] == .longitude else {
            throw ForecastError.inputData(path: set.path, variable: v.name, detail: "does not end in (latitude, longitude) dimensions")
        }
        latitudes = try set.axis(.latitude, of: v)?.values ?? []
        longitudes = try set.axis(.longitude, of: v)?.values ?? []
        let levels = try set.axis(.depth, of: v)?.values
        depths = levels.map { $0.map { Optional($0) } } ?? [nil]
    }

    func requireSame(_ other: Grid, path: String, variable: String, truth: String) throws {
        func fail(_ what: String, _ a: [Double?], _ b: [Double?]) -> ForecastError {
            .inputData(path: path, variable: variable, detail: "has \(b.count) \(what) where the truth \(truth) has \(a.count)"
                       + (a.count == b.count ? " at other values: not the same grid" : ": not the same grid"))
        }
        func same(_ a: [Double?], _ b: [Double?]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { x, y in
                switch (x, y) {
                case (nil, nil): true
                case let (x?, y?): abs(x - y) <= 1e-4 * max(1, abs(x))
                default: false
                }
            }
        }
        if !same(latitudes, other.latitudes) { throw fail("latitudes", latitudes, other.latitudes) }
        if !same(longitudes, other.longitudes) { throw fail("longitudes", longitudes, other.longitudes) }
        if !same(depths, other.depths) { throw fail("depths", depths, other.depths) }
    }

    /// The plane at `time` and depth index `depth` (a variable without time or depth ignores them).
    func read(_ set: CFDataset, _ v: Variable, time: Int, depth: Int) throws -> [Float] {
        let kinds = try set.axisKinds(of: v)
        var start = [Int](repeating: 0, count: kinds.count), count = [Int](repeating: 1, count: kinds.count)
        count[kinds.count - 2] = latitudes.count
        count[kinds.count - 1] = longitudes.count
        if let t = kinds.firstIndex(of: .time) { start[t] = time }
        if let d = kinds.firstIndex(of: .depth) { start[d] = depth }
        return try set.read(v, start: start, count: count)
    }
}
