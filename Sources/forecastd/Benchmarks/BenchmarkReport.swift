import Foundation
import Tensor

/// One measured figure and the reference it is judged against, both from the same run.
struct BenchmarkResult: Codable {
    /// What ran (`gemm`, `gelu`, `window_attention`, ...).
    var name: String
    /// Problem size in the kernel's own terms.
    var size: String
    /// Threads used.
    var threads: Int
    var medianMilliseconds: Double
    var minMilliseconds: Double
    var maxMilliseconds: Double
    /// Achieved rate, in `unit`.
    var rate: Double
    /// `GFLOP/s` or `GB/s`.
    var unit: String
    /// What the rate is compared with.
    var reference: String
    /// The reference's rate, in `unit`.
    var referenceRate: Double
    /// rate / referenceRate.
    var ratio: Double
    /// Extra facts (agreement with the reference, the goal).
    var note: String

    enum CodingKeys: String, CodingKey {
        case name, size, threads, rate, unit, reference, ratio, note
        case medianMilliseconds = "median_ms", minMilliseconds = "min_ms", maxMilliseconds = "max_ms"
        case referenceRate = "reference_rate"
    }
}

extension BenchmarkResult {
    /// A result timed over rounds: the times from `timing`, the ratio `rate / referenceRate`.
    init(_ name: String, _ size: String, _ threads: Int, _ timing: Timing, rate: Double, unit: String,
         reference: String, referenceRate: Double, note: String = "") {
        self.init(name: name, size: size, threads: threads, medianMilliseconds: timing.median * 1e3,
                  minMilliseconds: timing.minimum * 1e3, maxMilliseconds: timing.maximum * 1e3, rate: rate, unit: unit,
                  reference: reference, referenceRate: referenceRate, ratio: rate / referenceRate, note: note)
    }
}

/// A suite's results with the facts needed to read them.
struct BenchmarkReport: Codable, JSONReport {
    var suite: String
    var date: String
    var machine: String
    var threads: Int
    var repetitions: Int
    var results: [BenchmarkResult]

    func table() -> String {
        var lines = ["suite \(suite)  \(date)  \(machine)  threads \(threads)  repetitions \(repetitions)", ""]
        let header = ["kernel", "size", "thr", "median ms", "rate", "reference", "ref rate", "ratio", "note"]
        var rows = [header]
        for r in results {
            rows.append([r.name, r.size, "\(r.threads)", String(format: "%.3f", r.medianMilliseconds),
                         String(format: "%.3g %@", r.rate, r.unit), r.reference, String(format: "%.3g", r.referenceRate),
                         String(format: "%.2fx", r.ratio), r.note])
        }
        let widths = (0..<header.count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for row in rows {
            lines.append(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    /// The machine: CPU model and core count, from /proc/cpuinfo where present.
    static var machineDescription: String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = info.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) CPUs, \(ProcessorCapabilities.current.report)"
    }

    static var now: String { ISO8601DateFormatter().string(from: Date()) }
}
