import ArgumentParser
import Foundation
import NetCDF
import OceanGrid
import OceanStepper
import Surrogate

/// `forecastd compare REF.nc NEW.nc`: a regression check of a forecast against a reference grid.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a forecast with a reference: per variable, depth and lead time. Exit 0 within tolerance, "
            + "1 regression, 65 not comparable.",
        discussion: """
            Per field: RMSE and bias weighted by cos(latitude), the largest absolute difference and where, the \
            largest relative difference, MITgcm-style matching digits (-rint(log10(largest relative difference)), \
            16 when identical) and cells whose NaN mask differs. Within tolerance means every valid cell within \
            atol + rtol |reference| (default: identical) or, with --digits, at least that many matching digits; \
            NaN masks must always agree.
            """
    )

    @Argument(help: "The reference forecast.")
    var reference: String

    @Argument(help: "The forecast to check.")
    var candidate: String

    @Option(help: "Variables to compare, comma-separated (default: every variable on the latitude-longitude grid).")
    var vars: String?

    @Option(help: "Relative tolerance.")
    var rtol = 0.0

    @Option(help: "Absolute tolerance.")
    var atol = 0.0

    @Option(help: "Required matching digits per field (instead of rtol/atol).")
    var digits: Int?

    @Flag(help: "Print and compare a bitwise checksum of each variable's decoded values.")
    var checksum = false

    @Option(help: "Write a Markdown report with every field to this file.")
    var report: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard rtol >= 0, atol >= 0, rtol.isFinite, atol.isFinite else {
            throw ValidationError("--rtol and --atol must be finite and not negative")
        }
        if let vars, vars.split(separator: ",").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--vars names no variable")
        }
        if let digits, !(0...16).contains(digits) { throw ValidationError("--digits must be 0-16, got \(digits)") }
        if digits != nil && (rtol != 0 || atol != 0) { throw ValidationError("give --digits or --rtol/--atol, not both") }
    }

    func run() throws {
        var result: ComparisonReport?
        try reportingFailures {
            if let report { try AtomicOutput.requireDistinct(report, from: [reference, candidate]) }
            try Probe.child.check(reference)
            try Probe.child.check(candidate)
            let r = try ForecastComparison.compare(
                reference: reference, candidate: candidate,
                variables: vars.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } },
                tolerance: ComparisonTolerance(rtol: rtol, atol: atol, digits: digits), checksums: checksum)
            print(json ? r.json() : r.text())
            if let report { try AtomicOutput.write(Data(r.markdown().utf8), to: report) }
            result = r
        }
        if result?.regression == true { throw ExitCode(Sysexit.regression.rawValue) }
    }
}

extension ComparisonReport: JSONReport {
    /// Per variable: the worst of its fields, then every field outside the tolerance (at most 20).
    func text() -> String {
        var lines = ["\(candidate) against \(reference)", "variable      fields  max |diff|     max rel    min digits  NaN-mask diff  worst RMSE"]
        for name in orderedVariables {
            let f = fields.filter { $0.variable == name }
            lines.append(name.padding(toLength: 14, withPad: " ", startingAt: 0)
                         + String(format: "%6d  %-13.6g  %-9.3g  %10d  %13d  %.6g", f.count,
                                  f.map(\.maxAbsDifference).max() ?? 0, f.map(\.maxRelDifference).max() ?? 0,
                                  f.map(\.matchingDigits).min() ?? 16, f.reduce(0) { $0 + $1.maskMismatches },
                                  f.map(\.rmse).max() ?? 0))
        }
        for (name, sums) in (checksums ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("checksum \(name): \(sums[0]) \(sums[1]) \(sums[0] == sums[1] ? "equal" : "DIFFER")")
        }
        let outside = fields.filter { !$0.withinTolerance }
        for f in outside.prefix(20) {
            lines.append("outside tolerance: \(f.variable) \(f.time) depth \(f.depth.map { "\($0)" } ?? "-"): max |diff| "
                         + "\(f.maxAbsDifference) at \(f.maxAbsAt), \(f.matchingDigits) digits, \(f.maskMismatches) mask differences")
        }
        if outside.count > 20 { lines.append("... and \(outside.count - 20) more fields outside tolerance") }
        lines.append(regression ? "REGRESSION: \(outside.count) of \(fields.count) fields outside tolerance" : "OK: \(fields.count) fields within tolerance")
        return lines.joined(separator: "\n")
    }

    func markdown() -> String {
        var lines = ["# \(candidate) against \(reference)", "",
                     "Tolerance: " + (tolerance.digits.map { "\($0) matching digits" } ?? "atol \(tolerance.atol), rtol \(tolerance.rtol)"), "",
                     "| variable | time | depth | cells | RMSE | bias | max abs diff | at (lat, lon) | max rel diff | digits | NaN-mask diff | ok |",
                     "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for f in fields {
            lines.append("| \(f.variable) | \(f.time) | \(f.depth.map { "\($0)" } ?? "-") | \(f.cells) | \(f.rmse) | \(f.bias) | "
                         + "\(f.maxAbsDifference) | \(f.maxAbsAt) | \(f.maxRelDifference) | \(f.matchingDigits) | \(f.maskMismatches) | \(f.withinTolerance ? "yes" : "NO") |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private var orderedVariables: [String] {
        var seen: [String] = []
        for f in fields where !seen.contains(f.variable) { seen.append(f.variable) }
        return seen
    }
}
