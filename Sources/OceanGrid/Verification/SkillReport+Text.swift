import Foundation
import Plotting

extension SkillReport {
    /// The depths scored for `variable`, shallowest first (`[nil]` for a surface field).
    public func depths(of variable: String) -> [Double?] {
        var seen: [Double?] = []
        for s in scores where s.variable == variable && !seen.contains(s.depth) { seen.append(s.depth) }
        return seen.sorted { ($0 ?? 0) < ($1 ?? 0) }
    }

    /// The variables scored, in the order scored.
    public var variables: [String] {
        var seen: [String] = []
        for s in scores where !seen.contains(s.variable) { seen.append(s.variable) }
        return seen
    }

    /// The lead days scored, in order.
    public var leads: [Int] { Array(Set(scores.map(\.lead))).sorted() }

    /// The level of `variable` nearest `depth` (nil for a surface field).
    public func level(of variable: String, near depth: Double) -> Double? {
        depths(of: variable).min { abs(($0 ?? 0) - depth) < abs(($1 ?? 0) - depth) } ?? nil
    }

    func score(_ system: String, _ variable: String, _ depth: Double?, _ lead: Int) -> SkillScore? {
        scores.first { $0.system == system && $0.variable == variable && $0.depth == depth && $0.lead == lead }
    }

    /// Per system a table of RMSE and ACC by lead day (rows) and variable (columns) at the level nearest
    /// `depth`, `*` marking the lowest RMSE of all systems; then, per variable, at how many leads each system won.
    public func text(depth: Double = 0) -> String {
        let columns = variables.map { ($0, level(of: $0, near: depth)) }
        func heading(_ variable: String, _ level: Double?) -> String { variable + (level.map { String(format: "@%gm", $0) } ?? "") }
        var lines = ["Skill against \(truth) from \(referenceTime): cos-latitude weighted RMSE over cells valid in both "
                     + "(* lowest of all systems), ACC = anomaly correlation, anomalies from \(anomalies)."]
        for system in systems {
            lines.append("")
            lines.append("\(system.name) (\(system.path))")
            lines.append("lead" + columns.map { " " + heading($0.0, $0.1).padding(toLength: 19, withPad: " ", startingAt: 0) }.joined())
            lines.append("    " + columns.map { _ in " RMSE       ACC     " }.joined())
            for lead in leads {
                var row = String(format: "%4d", lead)
                for (variable, level) in columns {
                    guard let s = score(system.name, variable, level, lead) else { row += " " + "-".padding(toLength: 19, withPad: " ", startingAt: 0); continue }
                    let mark = winner(variable: variable, depth: level, lead: lead) == system.name ? "*" : " "
                    let rmse = String(format: "%.4g", s.rmse) + mark
                    row += " " + rmse.padding(toLength: 11, withPad: " ", startingAt: 0)
                        + (s.acc.map { String(format: "%6.3f", $0) } ?? "     -").padding(toLength: 8, withPad: " ", startingAt: 0)
                }
                lines.append(row)
            }
        }
        lines.append("")
        lines.append("Lowest RMSE (leads won of \(leads.count)):")
        for (variable, level) in columns {
            let counts = systems.map { system in
                "\(system.name) \(leads.filter { winner(variable: variable, depth: level, lead: $0) == system.name }.count)"
            }
            lines.append("  " + heading(variable, level).padding(toLength: 12, withPad: " ", startingAt: 0) + counts.joined(separator: ", "))
        }
        lines += ensembleText(columns: columns, heading: heading)
        return lines.joined(separator: "\n")
    }

    /// Every score as a Markdown table (all variables, depths and leads).
    public func markdown() -> String {
        var lines = ["# Skill against \(truth)", "", "Reference time \(referenceTime); anomalies from \(anomalies).", "",
                     "Systems: " + systems.map { "\($0.name) (\($0.path))" }.joined(separator: ", "), "",
                     "| variable | depth (m) | lead | date | system | RMSE | bias | ACC | cells | missing | lowest |",
                     "|---|---|---|---|---|---|---|---|---|---|---|"]
        for s in scores {
            let best = winner(variable: s.variable, depth: s.depth, lead: s.lead) == s.system ? "yes" : ""
            lines.append("| \(s.variable) | \(s.depth.map { String(format: "%g", $0) } ?? "-") | \(s.lead) | \(s.date) | \(s.system) | "
                         + String(format: "%.5g | %.4g | ", s.rmse, s.bias) + (s.acc.map { String(format: "%.4f", $0) } ?? "-")
                         + " | \(s.cells) | \(s.missing) | \(best) |")
        }
        return (lines + ensembleMarkdown()).joined(separator: "\n") + "\n"
    }

    /// RMSE against lead day for `variable` at `depth`, one line per system.
    public func rmseChart(variable: String, depth: Double?) -> LineChart {
        let units = self.units[variable] ?? "", place = depth.map { String(format: " at %g m", $0) } ?? ""
        return LineChart(title: "\(variable)\(place): RMSE against the truth by lead day", xLabel: "lead day",
                         yLabel: "RMSE" + (units.isEmpty ? "" : " (\(units))"),
                         series: systems.map { system in
                             LineChart.Series(name: system.name, points: leads.map { lead in
                                 (Double(lead), score(system.name, variable, depth, lead)?.rmse)
                             })
                         })
    }
}
