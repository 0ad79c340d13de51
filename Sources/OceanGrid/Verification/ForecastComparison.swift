import Foundation
import NetCDF

/// When two forecasts agree: every valid cell within `atol + rtol * |reference|` (numpy's allclose), or, with
/// `digits`, every field matching to at least that many digits (MITgcm testreport's measure). NaN masks must
/// always agree.
public struct ComparisonTolerance: Sendable, Codable {
    public var rtol = 0.0
    public var atol = 0.0
    public var digits: Int?

    public init(rtol: Double = 0, atol: Double = 0, digits: Int? = nil) {
        self.rtol = rtol
        self.atol = atol
        self.digits = digits
    }
}

/// One variable at one time and depth, compared.
public struct FieldComparison: Sendable, Codable {
    public var variable: String
    /// ISO time of the field (empty when the variable has no time).
    public var time: String
    /// Depth in m, nil for surface variables.
    public var depth: Double?
    /// Cells valid in both files.
    public var cells: Int
    /// Cells NaN (missing) in one file and not in the other.
    public var maskMismatches: Int
    /// Root-mean-square difference weighted by cos(latitude), and the weighted mean difference (new - reference).
    public var rmse: Double
    public var bias: Double
    /// Largest |new - reference|, where it is (latitude, longitude), and the largest relative difference.
    public var maxAbsDifference: Double
    public var maxAbsAt: [Double]
    public var maxRelDifference: Double
    /// -rint(log10(largest relative difference)), 16 when identical.
    public var matchingDigits: Int
    public var withinTolerance: Bool
}

/// The comparison of two forecast files.
public struct ComparisonReport: Sendable, Codable {
    public var reference: String
    public var candidate: String
    public var tolerance: ComparisonTolerance
    public var fields: [FieldComparison]
    /// Per variable: checksums of the decoded values in both files (with `checksums` asked for).
    public var checksums: [String: [String]]?
    /// True when any field is outside the tolerance or any checksum differs.
    public var regression: Bool
}

/// Compares two forecasts on the same grid, variable by variable, time by time, depth by depth.
public enum ForecastComparison {
    /// Compares `candidate` against `reference`. Files that cannot be compared (other variables, grids, depths
    /// or times) throw ``ForecastError/inputData(path:variable:detail:)`` saying exactly what differs.
    public static func compare(reference: String, candidate: String, variables names: [String]? = nil,
                               tolerance: ComparisonTolerance = ComparisonTolerance(), checksums: Bool = false) throws -> ComparisonReport {
        let ref = try CFDataset(path: reference), new = try CFDataset(path: candidate)
        let chosen = try names ?? dataVariables(ref)
        var fields: [FieldComparison] = []
        var sums: [String: [String]] = [:]
        for name in chosen {
            let a = try ref.variable(name)
            guard let b = new.variables.first(where: { $0.name == name }) else {
                throw ForecastError.inputData(path: candidate, variable: name, detail: "is not in this file but is in \(reference)")
            }
            try requireComparable(ref, a, new, b, candidate: candidate)
            let kinds = try ref.axisKinds(of: a)
            let latitudes = try ref.axis(.latitude, of: a)?.values ?? []
            let longitudes = try ref.axis(.longitude, of: a)?.values ?? []
            let times = try ref.timeAxis(of: a)?.dates.map(\.description) ?? [""]
            let depths = try ref.axis(.depth, of: a)?.values
            let shape = a.shape
            let plane = (shape.last ?? 1) * (shape.count >= 2 ? shape[shape.count - 2] : 1)
            let outer = shape.dropLast(2).reduce(1, *)
            var sumA = ContentChecksum(), sumB = ContentChecksum()
            for index in 0..<outer {
                // Unravel the outer index into (time, depth) as the variable orders them.
                var rest = index
                var start = [Int](repeating: 0, count: shape.count)
                for d in stride(from: shape.count - 3, through: 0, by: -1) {
                    start[d] = rest % shape[d]
                    rest /= shape[d]
                }
                var count = shape.map { _ in 1 }
                if shape.count >= 2 { count[shape.count - 1] = shape[shape.count - 1]; count[shape.count - 2] = shape[shape.count - 2] }
                let x = try ref.read(a, start: start, count: count), y = try new.read(b, start: start, count: count)
                if checksums {
                    sumA.add(x.lazy.map(Double.init))
                    sumB.add(y.lazy.map(Double.init))
                }
                let timeIndex = kinds.firstIndex(of: .time).map { start[$0] }
                let depthIndex = kinds.firstIndex(of: .depth).map { start[$0] }
                fields.append(field(name, x, y, plane: plane, latitudes: latitudes, longitudes: longitudes,
                                    time: timeIndex.map { times[$0] } ?? "", depth: depthIndex.flatMap { depths?[$0] },
                                    tolerance: tolerance))
            }
            if checksums { sums[name] = [sumA.text, sumB.text] }
        }
        let differs = sums.values.contains { $0[0] != $0[1] }
        return ComparisonReport(reference: reference, candidate: candidate, tolerance: tolerance, fields: fields,
                                checksums: checksums ? sums : nil,
                                regression: differs || fields.contains { !$0.withinTolerance })
    }

    /// The variables with at least a latitude and a longitude dimension that are not coordinates.
    static func dataVariables(_ d: CFDataset) throws -> [String] {
        try d.variables.filter { v in
            let kinds = try d.axisKinds(of: v)
            return v.dimensions.count >= 2 && kinds.contains(.latitude) && kinds.contains(.longitude)
        }.map(\.name)
    }

    static func requireComparable(_ ref: CFDataset, _ a: Variable, _ new: CFDataset, _ b: Variable, candidate: String) throws {
        func fail(_ detail: String) -> ForecastError { .inputData(path: candidate, variable: a.name, detail: detail) }
        guard a.shape == b.shape else { throw fail("has shape \(b.shape) where \(ref.path) has \(a.shape)") }
        let unitsA = try a.attributes()["units"]?.text ?? "", unitsB = try b.attributes()["units"]?.text ?? ""
        guard PhysicalQuantity.sameUnit(unitsA, unitsB) else {
            throw fail("is in '\(unitsB)' where \(ref.path) has '\(unitsA)': the values cannot be compared as they are (convert one file first)")
        }
        for kind in [CFAxisKind.latitude, .longitude, .depth] {
            let x = try ref.axis(kind, of: a)?.values ?? [], y = try new.axis(kind, of: b)?.values ?? []
            if let i = x.indices.first(where: { i in i < y.count && abs(x[i] - y[i]) > 1e-6 * max(1, abs(x[i])) }) {
                throw fail("\(kind.rawValue) \(i) is \(y[i]) where \(ref.path) has \(x[i]): not the same grid")
            }
        }
        let x = try ref.timeAxis(of: a)?.dates ?? [], y = try new.timeAxis(of: b)?.dates ?? []
        if let i = x.indices.first(where: { i in i < y.count && x[i] != y[i] }) {
            throw fail("time \(i) is \(y[i]) where \(ref.path) has \(x[i])")
        }
    }

    static func field(_ name: String, _ x: [Float], _ y: [Float], plane: Int, latitudes: [Double], longitudes: [Double],
                      time: String, depth: Double?, tolerance: ComparisonTolerance) -> FieldComparison {
        let width = longitudes.isEmpty ? plane : longitudes.count
        let scale = x.lazy.filter { !$0.isNaN }.map { abs(Double($0)) }.max() ?? 0
        var cells = 0, mismatches = 0, weights = 0.0, sum = 0.0, squares = 0.0
        var maxAbs = 0.0, maxAt = 0, maxRel = 0.0, inside = true
        for i in 0..<x.count {
            let a = x[i], b = y[i]
            if a.isNaN || b.isNaN {
                if a.isNaN != b.isNaN { mismatches += 1 }
                continue
            }
            cells += 1
            let d = Double(b) - Double(a), ad = abs(d)
            let row = (i % plane) / width
            let w = latitudes.isEmpty ? 1 : cos(latitudes[row] * .pi / 180)
            weights += w
            sum += w * d
            squares += w * d * d
            if ad > maxAbs { maxAbs = ad; maxAt = i % plane }
            let rel = a != 0 ? ad / abs(Double(a)) : (ad == 0 ? 0 : ad / max(scale, .leastNormalMagnitude))
            maxRel = max(maxRel, rel)
            if ad > tolerance.atol + tolerance.rtol * abs(Double(a)) { inside = false }
        }
        let digits = maxRel == 0 ? 16 : Int(max(0, min(16, -(log10(maxRel)).rounded())))
        if let required = tolerance.digits { inside = digits >= required }
        let location = latitudes.isEmpty || longitudes.isEmpty ? [] : [latitudes[maxAt / width], longitudes[maxAt % width]]
        return FieldComparison(variable: name, time: time, depth: depth, cells: cells, maskMismatches: mismatches,
                               rmse: weights > 0 ? (squares / weights).squareRoot() : 0, bias: weights > 0 ? sum / weights : 0,
                               maxAbsDifference: maxAbs, maxAbsAt: location, maxRelDifference: maxRel,
                               matchingDigits: digits, withinTolerance: inside && mismatches == 0)
    }
}
