import Foundation

/// An ensemble to verify: its name in the report and its members' files, in member order.
public struct VerifiedEnsemble: Sendable, Codable, Equatable {
    public var name: String
    public var members: [String]

    public init(name: String, members: [String]) {
        self.name = name
        self.members = members
    }

    /// The name of the ensemble mean's row among the deterministic scores.
    public var meanName: String { name + "-mean" }
}

/// The probabilistic skill of one ensemble for one variable, depth and lead day against the truth.
public struct EnsembleScore: Sendable, Codable, Equatable {
    public var ensemble: String
    public var variable: String
    /// Depth in m, nil for surface fields.
    public var depth: Double?
    public var lead: Int
    public var date: String
    public var members: Int
    /// Continuous ranked probability score of the members' empirical distribution, cos-latitude weighted mean
    /// over the cells valid in the truth and every member (the variable's units; 0 is perfect).
    public var crps: Double
    /// Square root of the weighted mean of the members' variance (with N - 1).
    public var spread: Double
    /// RMSE of the ensemble mean.
    public var meanRMSE: Double
    /// `spread / meanRMSE` scaled by sqrt((N + 1) / N), the finite-ensemble correction: near 1 for an ensemble
    /// whose spread matches its error, below for an over-confident one.
    public var spreadSkill: Double
    /// Cells where the truth ranks k among the members (k members below it), k = 0 ... N: flat for a reliable
    /// ensemble.
    public var rankHistogram: [Int]
}

/// Weighted sums over a plane of one ensemble's members against the truth, from which an ``EnsembleScore``
/// follows.
public struct EnsembleSums: Sendable {
    var weight = 0.0, crps = 0.0, variance = 0.0, squared = 0.0
    var ranks: [Int]

    /// `members[k]` is member k's plane, `width` columns whose rows lie at `latitudes`.
    public init(members: [[Float]], truth: [Float], latitudes: [Double], width: Int) {
        let n = members.count
        ranks = [Int](repeating: 0, count: n + 1)
        var values = [Double](repeating: 0, count: n)
        cells: for i in 0..<truth.count where truth[i].isFinite {
            for k in 0..<n {
                guard members[k][i].isFinite else { continue cells }
                values[k] = Double(members[k][i])
            }
            values.sort()
            let w = latitudes.isEmpty ? 1 : cos(latitudes[i / width] * .pi / 180), t = Double(truth[i])
            var absolute = 0.0, pairs = 0.0, sum = 0.0, below = 0
            for (k, x) in values.enumerated() {
                absolute += abs(x - t)
                pairs += Double(2 * k - n + 1) * x      // sum over i < j of (x_j - x_i), from the sorted values
                sum += x
                if x < t { below += 1 }
            }
            let mean = sum / Double(n)
            var squares = 0.0
            for x in values { squares += (x - mean) * (x - mean) }
            weight += w
            crps += w * (absolute / Double(n) - pairs / Double(n * n))
            variance += w * (n > 1 ? squares / Double(n - 1) : 0)
            squared += w * (mean - t) * (mean - t)
            ranks[below] += 1
        }
    }

    /// The scores of these sums.
    public func score(ensemble: String, variable: String, depth: Double?, lead: Int, date: String) -> EnsembleScore {
        let n = ranks.count - 1
        let spread = weight > 0 ? (variance / weight).squareRoot() : .nan, rmse = weight > 0 ? (squared / weight).squareRoot() : .nan
        return EnsembleScore(ensemble: ensemble, variable: variable, depth: depth, lead: lead, date: date, members: n,
                             crps: weight > 0 ? crps / weight : .nan, spread: spread, meanRMSE: rmse,
                             spreadSkill: rmse > 0 ? spread / rmse * (Double(n + 1) / Double(n)).squareRoot() : .nan,
                             rankHistogram: ranks)
    }
}
