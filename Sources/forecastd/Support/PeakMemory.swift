import Foundation

/// The largest resident set this process has had so far, in MiB (getrusage; Linux reports kilobytes).
func peakResidentMebibytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}
