/// A checksum of a variable's stored values (FNV-1a, 64 bits, taking each stored value's Float64 bit pattern
/// as one 64-bit word, in row-major order), written by ``ForecastWriter`` as the attribute `forecastd_checksum` and
/// verified on reading. HDF5's own chunk checksums (Fletcher-32) miss damage to the file's metadata, such as a
/// chunk index that silently turns a chunk into fill values; this catches it.
public struct ContentChecksum: Sendable, Equatable {
    /// The attribute that carries it.
    public static let attribute = "forecastd_checksum"

    private(set) var state: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    /// Adds stored values, in file order.
    public mutating func add<S: Sequence>(_ values: S) where S.Element == Double {
        for v in values { state = (state ^ v.bitPattern) &* 0x0000_0100_0000_01B3 }
    }

    /// The attribute text, "fnv1a64w:<16 hex digits>".
    public var text: String {
        let hex = String(state, radix: 16)
        return "fnv1a64w:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension CFDataset {
    /// Checks `variable` against its `forecastd_checksum` attribute, if it has one, reading it one outermost
    /// index at a time. A mismatch is ``NetCDFError/notNetCDF(path:detail:)`` ("corrupted").
    public func verifyChecksum(_ variable: Variable) throws {
        guard let expected = try variable.attributes()[ContentChecksum.attribute]?.text else { return }
        var checksum = ContentChecksum()
        let shape = variable.shape
        if let outer = shape.first {
            for index in 0..<outer {
                checksum.add(try variable.readRaw(start: [index] + shape.dropFirst().map { _ in 0 }, count: [1] + shape.dropFirst()))
            }
        } else {
            checksum.add(try variable.readRaw(start: [], count: []))
        }
        guard checksum.text == expected else {
            throw NetCDFError.notNetCDF(path: path, detail: "corrupted: the content of '\(variable.name)' does not match its "
                                            + "\(ContentChecksum.attribute) (\(checksum.text), expected \(expected))")
        }
    }
}
