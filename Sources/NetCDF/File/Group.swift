import CNetCDF

/// A NetCDF group (the root group is the file itself): its dimensions, variables, attributes and subgroups.
public struct Group: Sendable {
    /// The file.
    public let file: NetCDFFile
    /// netCDF-C's group id.
    let id: Int32

    /// The group's name ("/" for the root).
    public func name() throws -> String {
        try NetCDFLibrary.serialized {
            var buffer = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
            try NetCDFLibrary.check(nc_inq_grpname(id, &buffer), file.path, "inquire group name")
            return String(cString: buffer)
        }
    }

    /// Subgroups, in definition order.
    public func groups() throws -> [Group] {
        try NetCDFLibrary.serialized {
            var count: Int32 = 0
            try NetCDFLibrary.check(nc_inq_grps(id, &count, nil), file.path, "list groups")
            var ids = [Int32](repeating: 0, count: Int(count))
            if count > 0 { try NetCDFLibrary.check(nc_inq_grps(id, &count, &ids), file.path, "list groups") }
            return ids.map { Group(file: file, id: $0) }
        }
    }

    /// Dimensions visible in this group.
    public func dimensions() throws -> [Dimension] {
        try NetCDFLibrary.serialized {
            var count: Int32 = 0
            try NetCDFLibrary.check(nc_inq_dimids(id, &count, nil, 1), file.path, "list dimensions")
            var ids = [Int32](repeating: 0, count: Int(count))
            if count > 0 { try NetCDFLibrary.check(nc_inq_dimids(id, &count, &ids, 1), file.path, "list dimensions") }
            return try ids.map { try Dimension.inquire(group: self, id: $0) }
        }
    }

    /// Variables of this group, in definition order.
    public func variables() throws -> [Variable] {
        try NetCDFLibrary.serialized {
            var count: Int32 = 0
            try NetCDFLibrary.check(nc_inq_nvars(id, &count), file.path, "count variables")
            return try (0..<count).map { try Variable.inquire(group: self, id: $0) }
        }
    }

    /// The variable called `name`; ``NetCDFError/variableMissing(path:variable:available:)`` if absent.
    public func variable(_ name: String) throws -> Variable {
        let found: Int32? = try NetCDFLibrary.serialized {
            var varid: Int32 = 0
            let status = nc_inq_varid(id, name, &varid)
            if status == NC_ENOTVAR { return nil }
            try NetCDFLibrary.check(status, file.path, "find variable '\(name)'")
            return varid
        }
        guard let found else {
            throw NetCDFError.variableMissing(path: file.path, variable: name, available: try variables().map(\.name))
        }
        return try NetCDFLibrary.serialized { try Variable.inquire(group: self, id: found) }
    }

    /// The group's (global, for the root) attributes.
    public func attributes() throws -> [String: AttributeValue] {
        try NetCDFLibrary.serialized { try Attributes.read(file: file, group: id, variable: NC_GLOBAL) }
    }

    /// Defines a subgroup (NetCDF-4).
    public func defineGroup(_ name: String) throws -> Group {
        try NetCDFLibrary.serialized {
            var child: Int32 = 0
            try NetCDFLibrary.check(nc_def_grp(id, name, &child), file.path, "define group '\(name)'")
            return Group(file: file, id: child)
        }
    }

    /// Defines a dimension (`length` nil: unlimited).
    public func defineDimension(_ name: String, length: Int?) throws -> Dimension {
        try NetCDFLibrary.serialized {
            var dimid: Int32 = 0
            try NetCDFLibrary.check(nc_def_dim(id, name, length ?? 0, &dimid), file.path, "define dimension '\(name)'")
            return Dimension(name: name, length: length ?? 0, isUnlimited: length == nil, id: dimid)
        }
    }

    /// Defines a variable over `dimensions`.
    public func defineVariable(_ name: String, type: NetCDFType, dimensions: [Dimension]) throws -> Variable {
        try NetCDFLibrary.serialized {
            var varid: Int32 = 0
            let ids = dimensions.map(\.id)
            try NetCDFLibrary.check(nc_def_var(id, name, type.rawValue, Int32(ids.count), ids, &varid), file.path,
                                    "define variable '\(name)'")
            return Variable(group: self, id: varid, name: name, type: type, dimensions: dimensions)
        }
    }

    /// Sets a group (global) attribute.
    public func setAttribute(_ name: String, _ value: AttributeValue) throws {
        try NetCDFLibrary.serialized { try Attributes.write(value, name: name, file: file, group: id, variable: NC_GLOBAL) }
    }
}

/// A NetCDF dimension.
public struct Dimension: Sendable, Equatable {
    /// Name.
    public let name: String
    /// Current length (for an unlimited dimension, the records written so far).
    public let length: Int
    /// True for the unlimited (record) dimension.
    public let isUnlimited: Bool
    /// netCDF-C's id.
    let id: Int32

    /// Reads dimension `id` of `group`. Call with the lock held.
    static func inquire(group: Group, id: Int32) throws -> Dimension {
        var buffer = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
        var length = 0
        try NetCDFLibrary.check(nc_inq_dim(group.id, id, &buffer, &length), group.file.path, "inquire dimension \(id)")
        var count: Int32 = 0
        try NetCDFLibrary.check(nc_inq_unlimdims(group.id, &count, nil), group.file.path, "list unlimited dimensions")
        var unlimited = [Int32](repeating: -1, count: Int(max(count, 0)))
        if count > 0 {
            try NetCDFLibrary.check(nc_inq_unlimdims(group.id, &count, &unlimited), group.file.path, "list unlimited dimensions")
        }
        return Dimension(name: String(cString: buffer), length: length, isUnlimited: unlimited.contains(id), id: id)
    }
}
