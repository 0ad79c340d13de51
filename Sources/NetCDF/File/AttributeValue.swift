/// The value of a NetCDF attribute: text, strings, or numbers (kept as Float64, with their external type).
public enum AttributeValue: Sendable, Equatable, CustomStringConvertible {
    /// A `char` attribute.
    case text(String)
    /// A `string` attribute (NetCDF-4), one or more strings.
    case strings([String])
    /// A numeric attribute of `type`, its values converted to Float64 (exact for every type but 64-bit integers
    /// beyond 2^53).
    case numbers([Double], type: NetCDFType)

    /// The numbers, or nil for text.
    public var numbers: [Double]? {
        if case .numbers(let v, _) = self { return v }
        return nil
    }

    /// The single number, or nil.
    public var number: Double? {
        guard let n = numbers, n.count == 1 else { return nil }
        return n[0]
    }

    /// The text (a single string attribute counts too), or nil.
    public var text: String? {
        switch self {
        case .text(let t): t
        case .strings(let s) where s.count == 1: s[0]
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .text(let t): "\"\(t)\""
        case .strings(let s): s.map { "\"\($0)\"" }.joined(separator: ", ")
        case .numbers(let v, let type):
            v.map { type.isInteger ? String(Int64($0)) : "\($0)" }.joined(separator: ", ") + " (\(type))"
        }
    }
}
