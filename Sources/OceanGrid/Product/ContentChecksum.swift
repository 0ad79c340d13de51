import NetCDF
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

/// What a whole-variable read does with a variable's `forecastd_checksum`.
public enum ChecksumUse: Sendable {
    /// A mismatch is an error: files forecastd wrote and nobody else touched (a batch's own outputs).
    case enforce
    /// Compute it and say whether it matches: files that other tools may have edited.
    case report
    /// Do not compute it.
    case ignore
}

extension CFDataset {
    /// Reads the whole of `variable` once, one outermost index at a time (memory stays bounded by one slab),
    /// handing each slab's decoded values to `body`. Returns whether the values match the variable's
    /// `forecastd_checksum` (nil when it has none or `checksum` is `.ignore`). With `.enforce`, a mismatch throws
    /// ``NetCDFError/notNetCDF(path:detail:)`` ("corrupted") instead. Files other tools edited keep a stale
    /// checksum attribute (ncks and xarray copy attributes), so only forecastd's own outputs enforce it.
    @discardableResult
    public func forEachSlab(of variable: Variable, checksum use: ChecksumUse = .enforce, _ body: ([Float]) throws -> Void) throws -> Bool? {
        let expected = use == .ignore ? nil : try variable.attributes()[ContentChecksum.attribute]?.text
        let packing = try CFPacking(variable: variable)
        var checksum = ContentChecksum()
        try forEachStoredSlab(of: variable) { raw in
            if expected != nil { checksum.add(raw) }
            try body(packing.decode(Array(raw)))
        }
        guard let expected else { return nil }
        if use == .enforce && checksum.text != expected {
            throw NetCDFError.notNetCDF(path: path, detail: "corrupted: the content of '\(variable.name)' does not match its "
                                            + "\(ContentChecksum.attribute) (\(checksum.text), expected \(expected))")
        }
        return checksum.text == expected
    }

    /// Reads the whole of `variable` as stored (still packed, missing values as they are), one outermost index
    /// at a time into one buffer, handing each slab to `body` (valid during the call).
    public func forEachStoredSlab(of variable: Variable, _ body: (UnsafeBufferPointer<Double>) throws -> Void) throws {
        let shape = variable.shape
        let slab = UnsafeMutableBufferPointer<Double>.allocate(capacity: shape.dropFirst().reduce(1, *))
        defer { slab.deallocate() }
        for index in shape.first.map({ 0..<$0 }) ?? 0..<1 {
            if shape.isEmpty {
                try variable.readRaw(start: [], count: [], into: slab)
            } else {
                try variable.readRaw(start: [index] + shape.dropFirst().map { _ in 0 }, count: [1] + shape.dropFirst(), into: slab)
            }
            try body(UnsafeBufferPointer(slab))
        }
    }
}

extension CFDataset {
    /// Opens `path`, decodes every attribute (the packing attributes checked as a read checks them) and reads
    /// every numeric variable completely through the library: what an ``InputProbe`` child does. The values are
    /// not unpacked (that cannot fail), and content checksums are not enforced (files other tools edited are
    /// normal input).
    public static func readEverything(_ path: String) throws {
        let dataset = try CFDataset(path: path)
        _ = try dataset.file.root.attributes()
        for variable in dataset.variables {
            _ = try variable.attributes()
            guard variable.type.isNumeric else { continue }
            _ = try CFPacking(variable: variable)
            try dataset.forEachStoredSlab(of: variable) { _ in }
        }
    }
}
