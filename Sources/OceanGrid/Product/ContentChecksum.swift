import NetCDF
/// A checksum of a variable's stored values (FNV-1a over 64-bit words: each stored value's Float64 bit pattern,
/// in row-major order), written by ``ForecastWriter`` as the attribute `forecastd_checksum` and verified on
/// reading. HDF5's own chunk checksums (Fletcher-32) miss damage to the file's metadata, such as a chunk index
/// that silently turns a chunk into fill values; this catches it.
///
/// Two forms, told apart by the attribute's prefix: `fnv1a64w8:` (what forecastd writes) runs eight FNV-1a
/// chains side by side, value i feeding chain i mod 8, and folds the eight states into one at the end, so that
/// a WenHai-scale day is summed at the multiplier's throughput rather than its latency; `fnv1a64w:` (files
/// written before) is one chain, and is still verified.
public struct ContentChecksum: Sendable, Equatable {
    /// The attribute that carries it.
    public static let attribute = "forecastd_checksum"

    /// The chains' form.
    public enum Form: String, Sendable {
        /// One chain over every value: "fnv1a64w".
        case single = "fnv1a64w"
        /// Eight chains, value i into chain i mod 8, folded at the end: "fnv1a64w8".
        case eightChains = "fnv1a64w8"

        var chains: Int { self == .single ? 1 : 8 }
    }

    static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    public let form: Form
    private var states: [UInt64]
    /// Values added so far (which chain the next one feeds).
    private var position = 0

    /// A checksum of `form`; forecastd writes eight chains.
    public init(_ form: Form = .eightChains) {
        self.form = form
        states = Array(repeating: Self.offsetBasis, count: form.chains)
    }

    /// The checksum of the form an attribute's text names (nil for a form this version does not know).
    public init?(formOf text: String) {
        guard let prefix = text.split(separator: ":").first, let form = Form(rawValue: String(prefix)) else { return nil }
        self.init(form)
    }

    /// Adds stored values, in file order.
    public mutating func add<S: Sequence>(_ values: S) where S.Element == Double {
        let chains = form.chains
        for v in values {
            let k = position % chains
            states[k] = (states[k] ^ v.bitPattern) &* Self.prime
            position += 1
        }
    }

    /// Adds stored float values, in file order; with eight chains, eight values a step in one vector.
    public mutating func add(floats values: UnsafeBufferPointer<Float>) {
        guard form == .eightChains, let base = values.baseAddress else { return add(values.lazy.map(Double.init)) }
        var i = 0
        while i < values.count && position % 8 != 0 {
            add(CollectionOfOne(Double(base[i])))
            i += 1
        }
        let blocks = (values.count - i) / 8
        if blocks > 0 {
            var s = SIMD8<UInt64>(states[0], states[1], states[2], states[3], states[4], states[5], states[6], states[7])
            let prime = SIMD8<UInt64>(repeating: Self.prime), start = UnsafeRawPointer(base + i)
            for b in 0..<blocks {
                let words = SIMD8<Double>(start.loadUnaligned(fromByteOffset: 32 * b, as: SIMD8<Float>.self))
                s = (s ^ unsafeBitCast(words, to: SIMD8<UInt64>.self)) &* prime
            }
            for k in 0..<8 { states[k] = s[k] }
            position += 8 * blocks
            i += 8 * blocks
        }
        add(UnsafeBufferPointer(rebasing: values[i...]).lazy.map(Double.init))
    }

    /// Adds float values as `stored` stores them, in file order, a block at a time through a buffer on the stack
    /// (no stored copy of them all is needed).
    public mutating func add(floats values: UnsafeBufferPointer<Float>, storedAs stored: StoredFloats) {
        let block = 4096
        withUnsafeTemporaryAllocation(of: Float.self, capacity: block) { buffer in
            for start in stride(from: 0, to: values.count, by: block) {
                let part = UnsafeBufferPointer(rebasing: values[start..<min(start + block, values.count)])
                stored.store(part, into: buffer.baseAddress!)
                add(floats: UnsafeBufferPointer(rebasing: buffer[0..<part.count]))
            }
        }
    }

    /// The attribute text, "<form>:<16 hex digits>" (eight chains folded into one word by the same FNV-1a step).
    public var text: String {
        let word = form == .single ? states[0] : states.reduce(Self.offsetBasis) { ($0 ^ $1) &* Self.prime }
        let hex = String(word, radix: 16)
        return form.rawValue + ":" + String(repeating: "0", count: 16 - hex.count) + hex
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
        let attribute = use == .ignore ? nil : try variable.attributes()[ContentChecksum.attribute]?.text
        let packing = try CFPacking(variable: variable)
        // A checksum of a form this version does not know cannot be verified: as if there were none.
        var checksum = attribute.flatMap(ContentChecksum.init(formOf:)) ?? ContentChecksum()
        let expected = attribute.flatMap(ContentChecksum.init(formOf:)) == nil ? nil : attribute
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
    /// read as stored, one chunk at a time (a slice over the last two dimensions when not chunked) into one
    /// reused buffer, so that each chunk is read and decoded once whatever the library's chunk cache holds
    /// (unpacking and conversion cannot fail); content checksums are not enforced (files other tools edited
    /// are normal input).
    public static func readEverything(_ path: String) throws {
        let dataset = try CFDataset(path: path)
        _ = try dataset.file.root.attributes()
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 16)
        defer { buffer.deallocate() }
        for variable in dataset.variables {
            _ = try variable.attributes()
            guard let size = variable.type.byteSize else { continue }
            _ = try CFPacking(variable: variable)
            let shape = variable.shape
            let block = try variable.chunkSizes().map { zip($0, shape).map { max(1, min($0, $1)) } }
                ?? shape.enumerated().map { $0.offset < shape.count - 2 ? 1 : $0.element }
            let capacity = block.reduce(size, *)
            if capacity > buffer.count {
                buffer.deallocate()
                buffer = .allocate(byteCount: capacity, alignment: 16)
            }
            var start = [Int](repeating: 0, count: shape.count)
            while zip(start, shape).allSatisfy({ $0 < $1 }) {
                let count = shape.indices.map { min(block[$0], shape[$0] - start[$0]) }
                try variable.readStored(start: start, count: count,
                                        into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count.reduce(size, *)]))
                guard let next = shape.indices.last(where: { start[$0] + block[$0] < shape[$0] }) else { break }
                start[next] += block[next]
                for later in (next + 1)..<shape.count { start[later] = 0 }
            }
        }
    }
}
