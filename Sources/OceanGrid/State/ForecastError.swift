import NetCDF
/// Why a forecast cannot run on the inputs given. Every case names the file, the variable where there is one,
/// and the problem; all are found before any computing starts.
public enum ForecastError: Error, CustomStringConvertible, Equatable {
    /// An input file holds data the forecast cannot use (wrong grid, missing levels, NaN inside the ocean...).
    case inputData(path: String, variable: String?, detail: String)
    /// The forcing does not cover every forecast day.
    case forcingDaysMissing(path: String, missing: [String])
    /// The model produced a non-finite value at an ocean cell: the forecast stopped on `day`, naming the first
    /// state channel and cell where it happened.
    case nonFinite(day: Int, channel: Int, row: Int, column: Int)
    /// A signal asked the run to stop; it stopped before `day` and left no output behind.
    case interrupted(path: String, day: Int)

    public var description: String {
        switch self {
        case .inputData(let path, let variable, let detail):
            return "\(path)" + (variable.map { ": variable '\($0)'" } ?? "") + ": \(detail)"
        case .forcingDaysMissing(let path, let missing):
            return "\(path): no forcing for \(missing.count) forecast day(s): \(missing.joined(separator: ", ")) "
                + "(give a file that covers them, or --forcing-mode persist|climatology)"
        case .nonFinite(let day, let channel, let row, let column):
            return "day \(day): the network's change is not finite at state channel \(channel), cell (\(row), \(column)); "
                + "the forecast stopped (weights or inputs outside what the model was trained on)"
        case .interrupted(let path, let day):
            return "\(path): interrupted before day \(day); nothing was left behind, run again to redo it"
        }
    }
}
