import NetCDF

extension CFDataset {
    /// The variable a forecast input means by `what`: the name given on the command line if any, else the
    /// first variable whose `standard_name` is one of `standardNames`, else the first of `names` present.
    func find(_ what: String, override: String?, standardNames: [String], names: [String]) throws -> Variable {
        if let override { return try variable(override) }
        for v in variables {
            if let standard = try v.attributes()["standard_name"]?.text, standardNames.contains(standard) { return v }
        }
        for name in names {
            if let v = variables.first(where: { $0.name.lowercased() == name }) { return v }
        }
        throw ForecastError.inputData(path: path, variable: what, detail: "not found: looked for standard_name "
                                      + standardNames.joined(separator: " or ") + ", then the names "
                                      + names.joined(separator: ", ") + " (use --var \(what)=NAME); the file has "
                                      + variables.map(\.name).joined(separator: ", "))
    }

    /// Where `variable`'s horizontal grid puts the model's points: the same number of latitudes and longitudes,
    /// each within `tolerance` degrees (longitudes compared modulo 360), in the model's order or reordered as
    /// ``GridPlacement`` allows (north-to-south latitudes, a rotated longitude circle); an error otherwise.
    public func placement(of variable: Variable, latitudes: [Double], longitudes: [Double],
                          tolerance: Double = 1e-4) throws -> GridPlacement {
        guard let lat = try axis(.latitude, of: variable), let lon = try axis(.longitude, of: variable) else {
            throw ForecastError.inputData(path: path, variable: variable.name, detail: "has no latitude or longitude dimension")
        }
        if let placement = GridPlacement.matching(fileLatitudes: lat.values, fileLongitudes: lon.values,
                                                  latitudes: latitudes, longitudes: longitudes, tolerance: tolerance) {
            return placement
        }
        func describe(_ v: [Double]) -> String {
            v.isEmpty ? "none" : "\(v.count) values \(v.first!) .. \(v.last!)"
        }
        throw ForecastError.inputData(path: path, variable: variable.name, detail: """
            is not on the model's grid: latitudes \(describe(lat.values)), longitudes \(describe(lon.values)); \
            the model expects latitudes \(describe(latitudes)), longitudes \(describe(longitudes)) \
            (within \(tolerance) degrees, in either latitude order and any rotation of the longitudes)
            """)
    }
}
