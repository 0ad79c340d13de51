/// CF decoding of one variable's stored values: missing data (`_FillValue`, `missing_value`, `valid_min`,
/// `valid_max`, `valid_range`, all compared in packed space, before unpacking) become NaN, and packed values
/// are unpacked as `stored * scale_factor + add_offset`.
///
/// A float or double variable without `_FillValue` also treats netCDF's default fill value as missing
/// (unwritten data), as netCDF4-python does.
public struct CFPacking: Sendable, Equatable {
    /// `scale_factor` (1 when absent).
    public var scale: Double = 1
    /// `add_offset` (0 when absent).
    public var offset: Double = 0
    /// Stored values that mean "no data".
    public var missing: [Double] = []
    /// Smallest valid stored value.
    public var validMin: Double = -.infinity
    /// Largest valid stored value.
    public var validMax: Double = .infinity

    /// No packing, nothing missing.
    public init() {}

    /// Reads the packing attributes of `variable`; malformed ones are an error naming the attribute.
    public init(variable: Variable) throws {
        let attributes = try variable.attributes()
        func number(_ name: String) throws -> Double? {
            guard let value = attributes[name] else { return nil }
            guard let n = value.number, n.isFinite || name == "_FillValue" || name == "missing_value" else {
                throw NetCDFError.badAttribute(path: variable.path, variable: variable.name, attribute: name,
                                               problem: "expected one finite number, found \(value)")
            }
            return n
        }
        scale = try number("scale_factor") ?? 1
        offset = try number("add_offset") ?? 0
        if let fill = try number("_FillValue") {
            missing.append(fill)
        } else if let fill = Self.defaultFill[variable.type] {
            missing.append(fill)
        }
        if let values = attributes["missing_value"] {
            guard let numbers = values.numbers else {
                throw NetCDFError.badAttribute(path: variable.path, variable: variable.name, attribute: "missing_value",
                                               problem: "expected numbers, found \(values)")
            }
            missing += numbers
        }
        if let range = attributes["valid_range"] {
            guard let r = range.numbers, r.count == 2, r[0] <= r[1] else {
                throw NetCDFError.badAttribute(path: variable.path, variable: variable.name, attribute: "valid_range",
                                               problem: "expected two increasing numbers, found \(range)")
            }
            validMin = r[0]
            validMax = r[1]
        }
        if let v = try number("valid_min") { validMin = v }
        if let v = try number("valid_max") { validMax = v }
    }

    /// netCDF's default fill values of the floating-point types.
    static let defaultFill: [NetCDFType: Double] = [.float: Double(Float(9.9692099683868690e+36)), .double: 9.9692099683868690e+36]

    /// True when packing changes values.
    public var isPacked: Bool { scale != 1 || offset != 0 }

    /// The physical value of one stored value, NaN where it is missing or invalid.
    @inline(__always) public func decode(_ raw: Double) -> Double {
        raw.isNaN || raw < validMin || raw > validMax || missing.contains(raw) ? .nan : raw * scale + offset
    }

    /// Decodes `count` stored values, `load(j)` the j-th, into `output`: what ``decode(_:)`` gives for each, in
    /// a loop the compiler vectorises when there are at most two missing values (`_FillValue` and
    /// `missing_value`, the usual case).
    @inline(__always) public func decode(count: Int, into output: UnsafeMutablePointer<Float>, _ load: (Int) -> Double) {
        guard missing.count <= 2 else {
            for j in 0..<count { output[j] = Float(decode(load(j))) }
            return
        }
        // NaN stands for an absent missing value: nothing equals it. NaN fails the range test.
        let first = missing.first ?? .nan, second = missing.count > 1 ? missing[1] : .nan
        let low = validMin, high = validMax, scale = scale, offset = offset
        for j in 0..<count {
            let raw = load(j)
            let valid = raw >= low && raw <= high && raw != first && raw != second
            output[j] = valid ? Float(raw * scale + offset) : .nan
        }
    }

    /// Decodes stored values into Float32 physical values, NaN where missing or invalid.
    public func decode(_ stored: [Double], into output: UnsafeMutableBufferPointer<Float>) {
        precondition(stored.count == output.count, "decode \(stored.count) values into \(output.count)")
        for (i, raw) in stored.enumerated() { output[i] = Float(decode(raw)) }
    }

    /// Decodes Float32 stored values where they lie (a `float` variable's): the values ``decode(_:into:)`` gives.
    public func decode(inPlace values: UnsafeMutableBufferPointer<Float>) {
        guard let base = values.baseAddress else { return }
        decode(count: values.count, into: base) { Double(base[$0]) }
    }

    /// Decodes into a new array.
    public func decode(_ stored: [Double]) -> [Float] {
        var out = [Float](repeating: 0, count: stored.count)
        out.withUnsafeMutableBufferPointer { decode(stored, into: $0) }
        return out
    }
}
