import Foundation

/// Timing of interleaved repetitions: every round runs each contender once, so drift on a shared machine
/// hits all of them alike; a figure is the median over rounds, with the spread.
struct Timing {
    /// Seconds per run, one entry per round.
    var seconds: [Double] = []

    var median: Double {
        let s = seconds.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    var minimum: Double { seconds.min() ?? .nan }
    var maximum: Double { seconds.max() ?? .nan }

    /// Seconds `body` takes, on the monotonic clock.
    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Seconds a throwing `body` takes.
    static func measure(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Runs each contender once per round, after one untimed warm-up each.
    static func interleaved(rounds: Int, _ contenders: [() -> Void]) -> [Timing] {
        for c in contenders { c() }
        var timings = [Timing](repeating: Timing(), count: contenders.count)
        for _ in 0..<rounds {
            for (i, c) in contenders.enumerated() { timings[i].seconds.append(seconds(c)) }
        }
        return timings
    }
}
