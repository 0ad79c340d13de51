import Foundation

extension SkillReport {
    func ensembleScore(_ ensemble: String, _ variable: String, _ depth: Double?, _ lead: Int) -> EnsembleScore? {
        ensembleScores.first { $0.ensemble == ensemble && $0.variable == variable && $0.depth == depth && $0.lead == lead }
    }

    /// Per ensemble a table of CRPS and spread-skill ratio by lead day and variable at the given levels.
    func ensembleText(columns: [(String, Double?)], heading: (String, Double?) -> String) -> [String] {
        var lines: [String] = []
        for ensemble in ensembles {
            lines.append("")
            lines.append("\(ensemble.name): \(ensemble.members.count) members; CRPS (0 is perfect), SSR = spread / RMSE of the mean "
                         + "x sqrt((N+1)/N) (1: spread matches error)")
            lines.append("lead" + columns.map { " " + heading($0.0, $0.1).padding(toLength: 19, withPad: " ", startingAt: 0) }.joined())
            lines.append("    " + columns.map { _ in " CRPS       SSR     " }.joined())
            for lead in leads {
                var row = String(format: "%4d", lead)
                for (variable, level) in columns {
                    guard let s = ensembleScore(ensemble.name, variable, level, lead) else {
                        row += " " + "-".padding(toLength: 19, withPad: " ", startingAt: 0)
                        continue
                    }
                    row += " " + String(format: "%.4g", s.crps).padding(toLength: 11, withPad: " ", startingAt: 0)
                        + String(format: "%6.2f", s.spreadSkill).padding(toLength: 8, withPad: " ", startingAt: 0)
                }
                lines.append(row)
            }
        }
        return lines
    }

    /// Every ensemble score as Markdown table rows, rank histograms included.
    func ensembleMarkdown() -> [String] {
        guard !ensembleScores.isEmpty else { return [] }
        var lines = ["", "## Ensembles", "",
                     "| ensemble | variable | depth (m) | lead | members | CRPS | spread | RMSE of mean | spread-skill | rank histogram |",
                     "|---|---|---|---|---|---|---|---|---|---|"]
        for s in ensembleScores {
            lines.append("| \(s.ensemble) | \(s.variable) | \(s.depth.map { String(format: "%g", $0) } ?? "-") | \(s.lead) | \(s.members) | "
                         + String(format: "%.5g | %.5g | %.5g | %.3f | ", s.crps, s.spread, s.meanRMSE, s.spreadSkill)
                         + s.rankHistogram.map(String.init).joined(separator: " ") + " |")
        }
        return lines
    }
}
