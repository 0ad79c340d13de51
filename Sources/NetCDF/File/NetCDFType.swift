import CNetCDF

/// The external data types of NetCDF variables and attributes.
public enum NetCDFType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case byte = 1, char = 2, short = 3, int = 4, float = 5, double = 6
    case ubyte = 7, ushort = 8, uint = 9, int64 = 10, uint64 = 11, string = 12

    /// The type for a netCDF-C type code, nil for user-defined types.
    init?(code: nc_type) { self.init(rawValue: code) }

    /// True for the numeric types.
    public var isNumeric: Bool { self != .char && self != .string }

    /// True for integer types (the ones CF packing uses).
    public var isInteger: Bool { isNumeric && self != .float && self != .double }

    /// True for unsigned integer types.
    public var isUnsigned: Bool { self == .ubyte || self == .ushort || self == .uint || self == .uint64 }

    /// Bytes one value of a numeric type takes in memory (nil for text and strings).
    public var byteSize: Int? {
        switch self {
        case .byte, .ubyte: 1
        case .short, .ushort: 2
        case .int, .uint, .float: 4
        case .double, .int64, .uint64: 8
        case .char, .string: nil
        }
    }

    /// The CDL name.
    public var description: String {
        switch self {
        case .byte: "byte"
        case .char: "char"
        case .short: "short"
        case .int: "int"
        case .float: "float"
        case .double: "double"
        case .ubyte: "ubyte"
        case .ushort: "ushort"
        case .uint: "uint"
        case .int64: "int64"
        case .uint64: "uint64"
        case .string: "string"
        }
    }
}
