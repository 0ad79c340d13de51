import Foundation

/// Round tick values for an axis: steps of 1, 2 or 5 times a power of ten, labelled with as many decimals as
/// the step needs.
public enum AxisTicks {
    /// About `count` ticks covering `low...high` (only values inside the range).
    public static func ticks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        guard low.isFinite, high.isFinite, high > low else { return low.isFinite ? [low] : [] }
        let step = self.step(low, high, count: count)
        var value = (low / step).rounded(.up) * step, result: [Double] = []
        while value <= high + step * 1e-9 {
            result.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return result
    }

    /// The tick spacing for about `count` ticks over `low...high`.
    public static func step(_ low: Double, _ high: Double, count: Int) -> Double {
        let raw = (high - low) / Double(max(1, count)), power = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / power
        return (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10) * power
    }

    /// `value` written with the decimals a tick step of `step` needs ("%g" beyond 6 decimals).
    public static func label(_ value: Double, step: Double) -> String {
        let decimals = max(0, Int(-(log10(step)).rounded(.down)))
        return decimals > 6 ? String(format: "%.3g", value) : String(format: "%.\(decimals)f", value)
    }
}
