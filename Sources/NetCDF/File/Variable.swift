import CNetCDF

/// A NetCDF variable: its type, dimensions and attributes, raw hyperslab reads and writes.
public struct Variable: Sendable {
    /// The group holding it.
    public let group: Group
    /// netCDF-C's id.
    let id: Int32
    /// Name.
    public let name: String
    /// External type.
    public let type: NetCDFType
    /// Dimensions, outermost first.
    public let dimensions: [Dimension]

    /// Lengths of the dimensions.
    public var shape: [Int] { dimensions.map(\.length) }
    /// The file's path (for messages).
    public var path: String { group.file.path }

    /// Reads variable `id` of `group`. Call with the lock held.
    static func inquire(group: Group, id: Int32) throws -> Variable {
        var buffer = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
        var code: nc_type = 0
        var rank: Int32 = 0
        try NetCDFLibrary.check(nc_inq_var(group.id, id, &buffer, &code, &rank, nil, nil), group.file.path, "inquire variable \(id)")
        var dimids = [Int32](repeating: 0, count: Int(rank))
        try NetCDFLibrary.check(nc_inq_vardimid(group.id, id, &dimids), group.file.path, "inquire variable \(id)")
        let name = String(cString: buffer)
        guard let type = NetCDFType(code: code) else {
            throw NetCDFError.wrongShape(path: group.file.path, variable: name, expected: "a numeric or text type",
                                         found: "user-defined type \(code)")
        }
        return Variable(group: group, id: id, name: name, type: type,
                        dimensions: try dimids.map { try Dimension.inquire(group: group, id: $0) })
    }

    /// All attributes.
    public func attributes() throws -> [String: AttributeValue] {
        try NetCDFLibrary.serialized { try Attributes.read(file: group.file, group: group.id, variable: id) }
    }

    /// Sets an attribute.
    public func setAttribute(_ name: String, _ value: AttributeValue) throws {
        try NetCDFLibrary.serialized { try Attributes.write(value, name: name, file: group.file, group: group.id, variable: id) }
    }

    /// Checks `start` / `count` against the variable's shape.
    private func checkSlab(_ start: [Int], _ count: [Int]) throws {
        let shape = self.shape
        guard start.count == shape.count, count.count == shape.count,
              zip(zip(start, count), shape).allSatisfy({ $0.0 >= 0 && $0.1 >= 0 && $0.0 + $0.1 <= $1 }) else {
            throw NetCDFError.wrongShape(path: path, variable: name, expected: "a slab inside \(shape)",
                                         found: "start \(start) count \(count)")
        }
    }

    /// Raw (still packed) values of the hyperslab `start`/`count` as Float64, in row-major order. Text and string
    /// variables are refused.
    public func readRaw(start: [Int], count: [Int]) throws -> [Double] {
        var values = [Double](repeating: 0, count: count.reduce(1, *))
        try values.withUnsafeMutableBufferPointer { try readRaw(start: start, count: count, into: $0) }
        return values
    }

    /// The same values into `output` (as many as `count` holds): a caller reading slab after slab reuses one buffer.
    public func readRaw(start: [Int], count: [Int], into output: UnsafeMutableBufferPointer<Double>) throws {
        guard type.isNumeric else {
            throw NetCDFError.wrongShape(path: path, variable: name, expected: "a numeric variable", found: "\(type)")
        }
        try readSlab(output.count, start, count) { nc_get_vara_double(group.id, id, $0, $1, output.baseAddress) }
    }

    /// The stored values of the hyperslab of a `float` variable into `output` (as many values as `count` holds),
    /// with no conversion: half the memory traffic of ``readRaw(start:count:)``.
    public func readFloats(start: [Int], count: [Int], into output: UnsafeMutableBufferPointer<Float>) throws {
        guard type == .float else {
            throw NetCDFError.wrongShape(path: path, variable: name, expected: "a float variable", found: "\(type)")
        }
        try readSlab(output.count, start, count) { nc_get_vara_float(group.id, id, $0, $1, output.baseAddress) }
    }

    /// The stored values of the hyperslab in the variable's own type, unconverted, into `output` (``NetCDFType/byteSize``
    /// bytes per value of `count`): the cheapest whole read, for checking that a file reads.
    public func readStored(start: [Int], count: [Int], into output: UnsafeMutableRawBufferPointer) throws {
        guard let size = type.byteSize else {
            throw NetCDFError.wrongShape(path: path, variable: name, expected: "a numeric variable", found: "\(type)")
        }
        try readSlab(output.count / size, start, count) { nc_get_vara(group.id, id, $0, $1, output.baseAddress) }
    }

    /// Checks `start`/`count` against the shape and the output's `valueCount`, then runs `get(start, count)`
    /// under the lock (not for an empty slab).
    private func readSlab(_ valueCount: Int, _ start: [Int], _ count: [Int],
                          _ get: (UnsafePointer<Int>?, UnsafePointer<Int>?) -> Int32) throws {
        try checkSlab(start, count)
        precondition(valueCount == count.reduce(1, *), "read \(count) values into \(valueCount)")
        guard valueCount > 0 else { return }
        try NetCDFLibrary.serialized {
            let status = start.withUnsafeBufferPointer { s in count.withUnsafeBufferPointer { c in get(s.baseAddress, c.baseAddress) } }
            if status == NC_ERANGE { return } // 64-bit integers beyond Float64's exact range: converted anyway
            try NetCDFLibrary.check(status, path, "read '\(name)' at \(start) count \(count)")
        }
    }

    /// Reads the whole variable raw (see ``readRaw(start:count:)``).
    public func readRaw() throws -> [Double] {
        try readRaw(start: shape.map { _ in 0 }, count: shape)
    }

    /// Writes Float32 values to the hyperslab; netCDF-C converts to the variable's type (with range checks).
    public func write(_ values: UnsafeBufferPointer<Float>, start: [Int], count: [Int]) throws {
        try writeSlab(values.count, start, count) { nc_put_vara_float(group.id, id, $0, $1, values.baseAddress) }
    }

    /// Writes Float64 values to the hyperslab.
    public func write(_ values: [Double], start: [Int], count: [Int]) throws {
        try writeSlab(values.count, start, count) { nc_put_vara_double(group.id, id, $0, $1, values) }
    }

    /// Writes 16-bit integers (packed data) to the hyperslab.
    public func write(_ values: [Int16], start: [Int], count: [Int]) throws {
        try writeSlab(values.count, start, count) { nc_put_vara_short(group.id, id, $0, $1, values) }
    }

    /// Checks the value count against `count`, then runs `put(start, count)` under the lock.
    private func writeSlab(_ valueCount: Int, _ start: [Int], _ count: [Int],
                           _ put: (UnsafePointer<Int>?, UnsafePointer<Int>?) -> Int32) throws {
        guard valueCount == count.reduce(1, *) else {
            throw NetCDFError.cannotWrite(path: path, detail: "'\(name)': \(valueCount) values for count \(count)")
        }
        try NetCDFLibrary.serialized {
            try start.withUnsafeBufferPointer { s in
                try count.withUnsafeBufferPointer { c in
                    try NetCDFLibrary.check(put(s.baseAddress, c.baseAddress), path, "write '\(name)' at \(start) count \(count)")
                }
            }
        }
    }

    /// The chunk sizes of a chunked variable (one per dimension), nil for contiguous or classic storage.
    public func chunkSizes() throws -> [Int]? {
        try NetCDFLibrary.serialized {
            var storage: Int32 = 0
            var sizes = [Int](repeating: 0, count: max(1, shape.count))
            try NetCDFLibrary.check(nc_inq_var_chunking(group.id, id, &storage, &sizes), path, "chunking of '\(name)'")
            return storage == NC_CHUNKED && !shape.isEmpty ? sizes : nil
        }
    }

    /// NetCDF-4 storage: chunk sizes, deflate level (0 for none) with the shuffle filter, Fletcher-32 checksums
    /// (so that a corrupted chunk is an error on reading, not silent garbage), and the fill value. Call in
    /// define mode.
    public func setStorage(chunks: [Int]?, deflateLevel: Int, checksum: Bool = true, fill: Double?) throws {
        try NetCDFLibrary.serialized {
            if checksum {
                try NetCDFLibrary.check(nc_def_var_fletcher32(group.id, id, NC_FLETCHER32), path, "checksum '\(name)'")
            }
            if let chunks {
                try NetCDFLibrary.check(nc_def_var_chunking(group.id, id, NC_CHUNKED, chunks), path, "chunk '\(name)'")
            }
            if deflateLevel > 0 {
                try NetCDFLibrary.check(nc_def_var_deflate(group.id, id, 1, 1, Int32(deflateLevel)), path, "deflate '\(name)'")
            }
        }
        if let fill { try setFill(fill) }
    }

    /// Marks the variable for BitRound quantization to `bits` significant bits (netCDF-C records the attribute
    /// `_QuantizeBitRoundNumberOfSignificantBits`; values written through nc_put_vara are rounded by netCDF-C).
    public func setQuantize(bits: Int) throws {
        try NetCDFLibrary.serialized {
            try NetCDFLibrary.check(nc_def_var_quantize(group.id, id, NC_QUANTIZE_BITROUND, Int32(bits)), path, "quantize '\(name)'")
        }
    }

    private func setFill(_ fill: Double) throws {
        try NetCDFLibrary.serialized {
            let status: Int32
            switch type {
            case .float: var v = Float(fill); status = nc_def_var_fill(group.id, id, 0, &v)
            case .double: var v = fill; status = nc_def_var_fill(group.id, id, 0, &v)
            case .short: var v = Int16(fill); status = nc_def_var_fill(group.id, id, 0, &v)
            case .int: var v = Int32(fill); status = nc_def_var_fill(group.id, id, 0, &v)
            case .byte: var v = Int8(fill); status = nc_def_var_fill(group.id, id, 0, &v)
            default:
                throw NetCDFError.cannotWrite(path: path, detail: "'\(name)': fill values for \(type) are not supported")
            }
            try NetCDFLibrary.check(status, path, "set fill of '\(name)'")
        }
    }
}
