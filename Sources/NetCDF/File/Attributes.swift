import CNetCDF
import Foundation

/// Reading and writing attributes of any type. Every function here expects the netCDF lock to be held.
enum Attributes {
    /// All attributes of `variable` (NC_GLOBAL for the group's own) in `group`.
    static func read(file: NetCDFFile, group: Int32, variable: Int32) throws -> [String: AttributeValue] {
        var count: Int32 = 0
        if variable == NC_GLOBAL {
            try NetCDFLibrary.check(nc_inq_natts(group, &count), file.path, "count attributes")
        } else {
            try NetCDFLibrary.check(nc_inq_varnatts(group, variable, &count), file.path, "count attributes")
        }
        var result: [String: AttributeValue] = [:]
        for index in 0..<count {
            var buffer = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
            try NetCDFLibrary.check(nc_inq_attname(group, variable, index, &buffer), file.path, "inquire attribute \(index)")
            let name = String(cString: buffer)
            if let value = try readOne(file: file, group: group, variable: variable, name: name) { result[name] = value }
        }
        return result
    }

    /// One attribute, nil if of a user-defined type.
    static func readOne(file: NetCDFFile, group: Int32, variable: Int32, name: String) throws -> AttributeValue? {
        var code: nc_type = 0
        var length = 0
        try NetCDFLibrary.check(nc_inq_att(group, variable, name, &code, &length), file.path, "inquire attribute '\(name)'")
        guard let type = NetCDFType(code: code) else { return nil }
        let what = "read attribute '\(name)'"
        switch type {
        case .char:
            var bytes = [CChar](repeating: 0, count: length + 1)
            if length > 0 { try NetCDFLibrary.check(nc_get_att_text(group, variable, name, &bytes), file.path, what) }
            return .text(String(cString: bytes))
        case .string:
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: length)
            try NetCDFLibrary.check(nc_get_att_string(group, variable, name, &pointers), file.path, what)
            defer { _ = nc_free_string(length, &pointers) }
            return .strings(pointers.map { $0.map { String(cString: $0) } ?? "" })
        default:
            var values = [Double](repeating: 0, count: length)
            if length > 0 {
                let status = nc_get_att_double(group, variable, name, &values)
                if status != NC_ERANGE { try NetCDFLibrary.check(status, file.path, what) }
            }
            return .numbers(values, type: type)
        }
    }

    /// Writes `value` as attribute `name`; numbers are stored with their stated type.
    static func write(_ value: AttributeValue, name: String, file: NetCDFFile, group: Int32, variable: Int32) throws {
        let what = "write attribute '\(name)'"
        switch value {
        case .text(let text):
            let bytes = Array(text.utf8)
            try NetCDFLibrary.check(nc_put_att_text(group, variable, name, bytes.count, bytes.map { CChar(bitPattern: $0) }),
                                    file.path, what)
        case .strings(let strings):
            let cStrings = strings.map { strdup($0) }
            defer { cStrings.forEach { free($0) } }
            var pointers = cStrings.map { UnsafePointer($0) }
            try NetCDFLibrary.check(nc_put_att_string(group, variable, name, pointers.count, &pointers), file.path, what)
        case .numbers(let numbers, let type):
            try NetCDFLibrary.check(nc_put_att_double(group, variable, name, type.rawValue, numbers.count, numbers),
                                    file.path, what)
        }
    }
}
