import Foundation

/// The skill of one system for one variable, depth and lead day against the truth.
public struct SkillScore: Sendable, Codable, Equatable {
    public var system: String
    public var variable: String
    /// Depth in m, nil for surface fields.
    public var depth: Double?
    public var lead: Int
    /// The valid date (ISO).
    public var date: String
    /// Cos-latitude weighted root-mean-square error and mean error (system - truth) over the cells valid in both.
    public var rmse: Double
    public var bias: Double
    /// Centred anomaly correlation, cos-latitude weighted (nil when either anomaly is constant, e.g.
    /// persistence with anomalies taken from the init).
    public var acc: Double?
    /// Cells valid in both, and cells valid in the truth but missing in the system's field.
    public var cells: Int
    public var missing: Int
}

/// Weighted sums of one field against the truth, from which RMSE, bias and ACC follow.
struct ScoreSums {
    var weight = 0.0, error = 0.0, squared = 0.0
    var a = 0.0, b = 0.0, aa = 0.0, bb = 0.0, ab = 0.0
    var cells = 0, missing = 0

    /// Sums over a plane of `width` columns whose rows lie at `latitudes`; `anomalyBase` (the init or a
    /// climatology) is subtracted from both fields for the ACC, which is skipped without it.
    init(system: [Float], truth: [Float], anomalyBase: [Float]?, latitudes: [Double], width: Int) {
        for i in 0..<truth.count where truth[i].isFinite {
            guard system[i].isFinite else { missing += 1; continue }
            let w = latitudes.isEmpty ? 1 : cos(latitudes[i / width] * .pi / 180)
            let s = Double(system[i]), t = Double(truth[i]), d = s - t
            cells += 1
            weight += w
            error += w * d
            squared += w * d * d
            if let base = anomalyBase, base[i].isFinite {
                let x = s - Double(base[i]), y = t - Double(base[i])
                a += w * x; b += w * y; aa += w * x * x; bb += w * y * y; ab += w * x * y
            }
        }
    }

    var rmse: Double { weight > 0 ? (squared / weight).squareRoot() : .nan }
    var bias: Double { weight > 0 ? error / weight : .nan }

    /// The centred anomaly correlation, nil when an anomaly field is constant or none was taken.
    var acc: Double? {
        guard weight > 0 else { return nil }
        let ma = a / weight, mb = b / weight
        let va = aa / weight - ma * ma, vb = bb / weight - mb * mb
        guard va > 1e-10 * aa / weight, vb > 1e-10 * bb / weight else { return nil }   // rounding, not signal
        return (ab / weight - ma * mb) / (va * vb).squareRoot()
    }
}
