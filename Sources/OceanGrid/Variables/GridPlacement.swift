/// How a file's horizontal grid maps onto the model's: the same points, with latitudes possibly running north
/// to south (ERA5's order) and longitudes possibly starting elsewhere on the circle (0..360 against -180..180).
///
/// Reordering is a permutation of values, so a forecast from a reordered file is bit for bit the forecast from
/// the file written in the model's order.
public struct GridPlacement: Equatable, Sendable {
    /// True when the file's rows run from north to south while the model's run from south to north (or the
    /// reverse): model row `i` is file row `height - 1 - i`.
    public var reversedLatitudes: Bool
    /// Model column `j` is file column `(j + longitudeShift) % width`.
    public var longitudeShift: Int

    /// The file in the model's order.
    public static let identity = GridPlacement(reversedLatitudes: false, longitudeShift: 0)

    public init(reversedLatitudes: Bool, longitudeShift: Int) {
        self.reversedLatitudes = reversedLatitudes
        self.longitudeShift = longitudeShift
    }

    /// The placement that puts `fileLatitudes` x `fileLongitudes` onto the model's axes, each point within
    /// `tolerance` degrees (longitudes modulo 360); nil when the file does not hold exactly the model's points.
    public static func matching(fileLatitudes: [Double], fileLongitudes: [Double], latitudes: [Double],
                                longitudes: [Double], tolerance: Double) -> GridPlacement? {
        guard fileLatitudes.count == latitudes.count, fileLongitudes.count == longitudes.count, !longitudes.isEmpty else { return nil }
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= tolerance }
        func sameAngle(_ a: Double, _ b: Double) -> Bool {
            let d = abs(a - b).truncatingRemainder(dividingBy: 360)
            return min(d, 360 - d) <= tolerance
        }
        let reversed: Bool
        if zip(fileLatitudes, latitudes).allSatisfy(close) {
            reversed = false
        } else if zip(fileLatitudes.reversed(), latitudes).allSatisfy(close) {
            reversed = true
        } else {
            return nil
        }
        let width = longitudes.count
        guard let shift = fileLongitudes.firstIndex(where: { sameAngle($0, longitudes[0]) }),
              (0..<width).allSatisfy({ sameAngle(fileLongitudes[($0 + shift) % width], longitudes[$0]) }) else { return nil }
        return GridPlacement(reversedLatitudes: reversed, longitudeShift: shift)
    }

    /// What the placement does, for the log; nil for the identity.
    public var note: String? {
        var parts: [String] = []
        if reversedLatitudes { parts.append("latitudes run north to south") }
        if longitudeShift != 0 { parts.append("longitudes start \(longitudeShift) columns into the model's circle") }
        return parts.isEmpty ? nil : parts.joined(separator: " and ") + "; reordered onto the model's grid on read"
    }

    /// Reorders `planes` consecutive `[height, width]` planes of file values at `values` into the model's order,
    /// in place (`scratch` holds one plane).
    public func reorder(_ values: UnsafeMutablePointer<Float>, planes: Int, height: Int, width: Int,
                        scratch: UnsafeMutablePointer<Float>) {
        guard self != .identity else { return }
        let plane = height * width, shift = longitudeShift
        for p in 0..<planes {
            let base = values + p * plane
            scratch.update(from: base, count: plane)
            for i in 0..<height {
                let source = scratch + (reversedLatitudes ? height - 1 - i : i) * width, row = base + i * width
                row.update(from: source + shift, count: width - shift)
                (row + (width - shift)).update(from: source, count: shift)
            }
        }
    }
}
