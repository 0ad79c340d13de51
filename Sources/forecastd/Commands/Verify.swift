import ArgumentParser
import Foundation
import NetCDF
import OceanGrid
import Surrogate

/// `forecastd verify --truth TRUTH.nc [--init INIT.nc] NAME=FORECAST.nc ...`: skill against the truth.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Skill of forecasts against the truth: RMSE, bias and anomaly correlation per system, variable, "
            + "depth and lead day, with persistence of the init beside them.",
        discussion: """
            Each forecast's times are matched to the truth's by date; lead days count from the init's time (else \
            from the forecasts' forecast_reference_time). RMSE and bias are cos-latitude weighted over the cells \
            valid in both; the anomaly correlation is centred, with anomalies from the init. The text shows one \
            table per system at the level nearest --depth, the lowest RMSE of all systems marked *; --json and \
            --report hold every depth. Unlike compare (a regression check, exit 1 on any difference), verify \
            exits 0 whatever the skill, and 64-66 only when the inputs cannot be verified together.
            """
    )

    @Option(help: "The truth: analyses or the reference run's daily means on the forecasts' grid.")
    var truth: String

    @Option(name: .customLong("init"), help: "The init the forecasts started from: persistence's forecast, the reference time and the anomalies' base.")
    var initial: String?

    @Argument(help: "Forecasts to verify, each FILE or NAME=FILE (the name in the tables; default: the file's name without .nc).")
    var forecasts: [String] = []

    @Option(help: ArgumentHelp("An ensemble to verify, OUT or NAME=OUT with OUT the --out its run was given: its members OUT_member01.nc ... (repeatable).",
                               discussion: "Scored by CRPS, spread-skill ratio and rank histogram; its mean gets an RMSE row of its own (NAME-mean)."))
    var ensemble: [String] = []

    @Option(help: "Variables, comma-separated (default: every variable all files share).")
    var vars: String?

    @Option(help: "Lead days, comma-separated (default: every day the truth and a forecast share).")
    var leads: String?

    @Option(help: "Depth in m of the text tables (the nearest level; default 0, the top level).")
    var depth: Double = 0

    @Flag(help: "Print JSON (every score) instead of text.")
    var json = false

    @Option(help: "Write every score as a Markdown table to this file.")
    var report: String?

    @Option(help: "Write PNG charts of RMSE against lead day (one per variable, at --depth) into this folder.")
    var plot: String?

    func validate() throws {
        if forecasts.isEmpty && ensemble.isEmpty && initial == nil { throw ValidationError("give forecasts to verify, --init for persistence, or both") }
        _ = try systems()
        _ = try leadDays()
        if !(depth >= 0 && depth.isFinite) { throw ValidationError("--depth must be 0 or more metres, got \(depth)") }
    }

    func run() throws {
        try reportingFailures {
            let systems = try systems(), ensembles = try ensembles()
            let inputs = [truth] + (initial.map { [$0] } ?? []) + systems.map(\.path) + ensembles.flatMap(\.members)
            if let report { try AtomicOutput.requireDistinct(report, from: inputs) }
            try Probe.child.check(inputs)
            let result = try SkillVerification.verify(
                truth: truth, systems: systems, initial: initial,
                variables: vars.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } },
                leads: try leadDays(), ensembles: ensembles)
            if let plot {
                for variable in result.variables {
                    let level = result.level(of: variable, near: depth)
                    let png = result.rmseChart(variable: variable, depth: level).render().encoded()
                    try AtomicOutput.write(png, to: URL(fileURLWithPath: plot).appendingPathComponent("rmse_\(variable).png").path)
                }
            }
            print(json ? result.json() : result.text(depth: depth))
            if let report { try AtomicOutput.write(Data(result.markdown().utf8), to: report) }
        }
    }

    /// The forecasts as named systems; names must be distinct and not "persistence".
    private func systems() throws -> [VerifiedSystem] {
        var result: [VerifiedSystem] = []
        for entry in forecasts {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let system = parts.count == 2 && !parts[0].contains("/")
                ? VerifiedSystem(name: parts[0], path: parts[1])
                : VerifiedSystem(name: URL(fileURLWithPath: entry).deletingPathExtension().lastPathComponent, path: entry)
            guard !system.name.isEmpty, !system.path.isEmpty else { throw ValidationError("'\(entry)' is not FILE or NAME=FILE") }
            guard system.name != SkillReport.persistence else {
                throw ValidationError("'\(SkillReport.persistence)' is the init's own row; give the forecast another name")
            }
            guard !result.contains(where: { $0.name == system.name }) else {
                throw ValidationError("two forecasts are named '\(system.name)'; name them with NAME=FILE")
            }
            result.append(system)
        }
        return result
    }

    /// The ensembles named by --ensemble, with their member files found beside each OUT (at least two).
    private func ensembles() throws -> [VerifiedEnsemble] {
        try ensemble.map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let named = parts.count == 2 && !parts[0].contains("/")
            let output = named ? parts[1] : entry
            let members = EnsembleOptions.memberFiles(of: output)
            // An ensemble has two members or more: the first missing one is what is missing.
            guard members.count >= 2 else {
                throw NetCDFError.fileMissing(path: EnsembleOptions.path(output, suffix: EnsembleOptions.memberSuffix(members.count)))
            }
            return VerifiedEnsemble(name: named ? parts[0] : URL(fileURLWithPath: output).deletingPathExtension().lastPathComponent,
                                    members: members)
        }
    }

    private func leadDays() throws -> Set<Int>? {
        guard let leads else { return nil }
        let days = leads.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !days.isEmpty, days.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--leads is a comma-separated list of days from 1, e.g. 1,5,10,15; got '\(leads)'")
        }
        return Set(days.compactMap { $0 })
    }
}

extension SkillReport: JSONReport {}
