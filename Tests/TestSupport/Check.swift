import Tensor

/// Error measures of Float32 results against Float64 references.
public enum Check {
    /// Largest elementwise relative error |got - want| / max(|want|, floor); equal non-finite values count as
    /// exact, and a NaN where the reference has none (or the reverse) counts as infinite error.
    public static func relativeError(_ got: [Float], _ want: [Double], floor: Double = 1e-30) -> Double {
        precondition(got.count == want.count, "\(got.count) results for \(want.count) references")
        var worst = 0.0
        for (g, w) in zip(got, want) {
            let g = Double(g)
            if w.isNaN || g.isNaN {
                if w.isNaN != g.isNaN { return .infinity }
                continue
            }
            if w.isInfinite || g.isInfinite {
                if w != g { return .infinity }
                continue
            }
            worst = max(worst, abs(g - w) / max(abs(w), floor))
        }
        return worst
    }

    /// Relative error with an absolute floor at `fraction` of the reference's largest magnitude: elements that
    /// cancel to near zero are judged against the output's scale.
    public static func scaledError(_ got: [Float], _ want: [Double], fraction: Double = 1e-2) -> Double {
        let scale = want.filter(\.isFinite).map(abs).max() ?? 0
        return relativeError(got, want, floor: max(scale * fraction, 1e-30))
    }

    /// Values of a tensor as Float64.
    public static func doubles(_ t: Tensor) -> [Double] { t.toArray().map(Double.init) }
}

