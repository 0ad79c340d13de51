import Foundation
import NetCDF
import OceanGrid
import TestSupport
import Testing

@Suite("Forecast files: CF encoding, atomic writing")
struct ForecastWriterTests {
    static let variables = [
        ForecastVariable(name: "thetao", standardName: "sea_water_potential_temperature", units: "degrees_C",
                         longName: "Temperature", hasDepth: true, packingRange: -5...45),
        ForecastVariable(name: "zos", standardName: "sea_surface_height_above_geoid", units: "m",
                         longName: "Sea surface height", hasDepth: false, packingRange: -3...3),
    ]

    static func layout(_ encoding: ForecastEncoding) -> ForecastLayout {
        var layout = ForecastLayout(latitudes: [30, 30.25, 30.5], longitudes: [-20, -19.75, -19.5, -19.25], depths: [0.5, 10],
                                    variables: variables,
                                    referenceTime: CFDateTime(year: 2024, month: 1, day: 1, calendar: .standard))
        layout.encoding = encoding
        layout.source = "forecastd test"
        layout.history = "2026-11-22T00:00:00Z: forecastd test"
        return layout
    }

    /// Day `d`'s fields: a smooth pattern, NaN on the land cell (first latitude, first longitude).
    static func fields(day d: Int) -> [String: [Float]] {
        let thetao = (0..<(2 * 3 * 4)).map { i -> Float in i % 12 == 0 ? .nan : 10 + Float(i) * 0.37 + Float(d) }
        let zos = (0..<12).map { i -> Float in i == 0 ? .nan : -0.5 + Float(i) * 0.05 + Float(d) * 0.01 }
        return ["thetao": thetao, "zos": zos]
    }

    static func write(_ encoding: ForecastEncoding, days: Int, to path: String) throws {
        let writer = try ForecastWriter(path: path, layout: layout(encoding))
        for d in 0..<days {
            try writer.writeDay(leadHours: Double(24 * (d + 1)), values: fields(day: d))
            #expect(!FileManager.default.fileExists(atPath: path), "the final file exists before the forecast is complete")
        }
        try writer.finish()
        #expect(!FileManager.default.fileExists(atPath: writer.temporaryPath))
    }

    @Test("Written forecasts read back: values (within packing precision), NaN land, times", arguments: ForecastEncoding.allCases)
    func readBack(_ encoding: ForecastEncoding) throws {
        let path = try Scratch.folder() + "/forecast.nc"
        try Self.write(encoding, days: 3, to: path)
        let dataset = try CFDataset(path: path)
        let thetao = try dataset.variable("thetao")
        try dataset.requireDimensions(thetao, [.time, .depth, .latitude, .longitude])
        let tolerance: Float = encoding == .int16 ? Float(ForecastLayout.packing(-5...45).scale) : 1e-6
        for d in 0..<3 {
            let got = try dataset.read(thetao, start: [d, 0, 0, 0], count: [1, 2, 3, 4])
            for (g, w) in zip(got, Self.fields(day: d)["thetao"]!) {
                if w.isNaN { #expect(g.isNaN) } else { #expect(abs(g - w) <= tolerance) }
            }
        }
        let time = try #require(try dataset.timeAxis(of: thetao))
        #expect(time.dates.map(\.description) == ["2024-01-02T00:00:00", "2024-01-03T00:00:00", "2024-01-04T00:00:00"])
        #expect(try dataset.variable("forecast_period").readRaw() == [24, 48, 72])
        let attributes = try dataset.file.root.attributes()
        #expect(attributes["Conventions"]?.text == "CF-1.8")
        #expect(attributes["bulletin_date"]?.text == "2024-01-01 00:00:00")
    }

    @Test("An abandoned or dropped writer leaves no file; an unwritable folder is an error before any work")
    func nothingLeftBehind() throws {
        let folder = try Scratch.folder()
        let path = folder + "/forecast.nc"
        do {
            let writer = try ForecastWriter(path: path, layout: Self.layout(.float32))
            try writer.writeDay(leadHours: 24, values: Self.fields(day: 0))
            writer.abandon()
        }
        do {
            let writer = try ForecastWriter(path: path, layout: Self.layout(.float32))
            try writer.writeDay(leadHours: 24, values: Self.fields(day: 0))
        } // dropped without finish()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        #expect(throws: NetCDFError.self) { try ForecastWriter(path: folder + "/no/such/dir/f.nc", layout: Self.layout(.float32)) }
        let writer = try ForecastWriter(path: path, layout: Self.layout(.float32))
        #expect(throws: NetCDFError.self) { try writer.writeDay(leadHours: 24, values: ["thetao": [1, 2]]) }
    }
}

@Suite("Independent readers and CF tools agree with forecastd")
struct ExternalToolTests {
    static let xarray = Scratch.python(has: ["xarray", "netCDF4", "cftime"])
    static func xarrayDecode(_ path: String, _ variables: [String]) throws -> [String: Any] {
        let result = try #require(Scratch.run("python3", [Scratch.tools + "/xarray_decode.py", path] + variables))
        try #require(result.status == 0, "xarray_decode.py failed: \(result.output)")
        let json = try #require(result.output.split(separator: "\n").last.map(String.init))
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test("A CMEMS GLO12-style file (ncgen from CDL) decodes as xarray decodes it, within 1e-6 relative",
          .enabled(if: xarray && Scratch.has("ncgen"), "needs ncgen (netcdf-bin) and python3 with xarray, netCDF4, cftime"))
    func cmemsMatchesXarray() throws {
        let path = try Scratch.generate("cmems-glo12.cdl", kind: "nc4", into: try Scratch.folder())
        let names = ["thetao", "so", "uo", "vo", "zos"]
        let reference = try Self.xarrayDecode(path, names)
        let dataset = try CFDataset(path: path)
        for name in names {
            let variable = try dataset.variable(name)
            let ours = try dataset.read(variable, start: variable.shape.map { _ in 0 }, count: variable.shape)
            let theirs = try #require((reference["variables"] as? [String: [Any]])?[name])
            #expect(ours.count == theirs.count)
            for (o, t) in zip(ours, theirs) {
                if let t = t as? Double {
                    #expect(abs(Double(o) - t) <= 1e-6 * max(abs(t), 1e-30), "\(name): \(o) vs xarray \(t)")
                } else {
                    #expect(o.isNaN, "\(name): \(o) where xarray has NaN")
                }
            }
        }
        let time = try #require(try dataset.timeAxis(of: try dataset.variable("thetao")))
        #expect(time.dates.map(\.description) == (reference["time"] as? [String]))
    }

    @Test("Our forecast files open in xarray with the right times and NaN land",
          .enabled(if: xarray, "needs python3 with xarray, netCDF4, cftime"), arguments: ForecastEncoding.allCases)
    func forecastInXarray(_ encoding: ForecastEncoding) throws {
        let path = try Scratch.folder() + "/forecast.nc"
        try ForecastWriterTests.write(encoding, days: 2, to: path)
        let reference = try Self.xarrayDecode(path, ["thetao", "zos"])
        #expect(reference["time"] as? [String] == ["2024-01-02T00:00:00", "2024-01-03T00:00:00"])
        #expect(reference["forecast_reference_time"] as? String == "2024-01-01T00:00:00")
        let zos = try #require((reference["variables"] as? [String: [Any]])?["zos"])
        #expect(zos[0] is NSNull && zos[12] is NSNull)
        let expected = ForecastWriterTests.fields(day: 1)["zos"]!
        let tolerance = encoding == .int16 ? ForecastLayout.packing(-3...3).scale : 1e-6
        #expect(abs((zos[13] as? Double ?? .nan) - Double(expected[1])) <= tolerance)
    }

    @Test("cdo infon reads our forecast files; ncdump -h shows the CF attributes",
          .enabled(if: Scratch.has("cdo") && Scratch.has("ncdump"), "needs cdo and ncdump (netcdf-bin)"))
    func cdoAndNcdump() throws {
        let path = try Scratch.folder() + "/forecast.nc"
        try ForecastWriterTests.write(.float32, days: 2, to: path)
        let infon = try #require(Scratch.run("cdo", ["-s", "infon", path]))
        #expect(infon.status == 0, "cdo infon failed: \(infon.output)")
        #expect(infon.output.contains("thetao") && infon.output.contains("zos"))
        #expect(infon.output.contains("2024-01-02"))
        let header = try #require(Scratch.run("ncdump", ["-h", path]))
        #expect(header.status == 0)
        for expected in [":Conventions = \"CF-1.8\"", "thetao:standard_name = \"sea_water_potential_temperature\"",
                         "thetao:_FillValue = 1.e+20f", "forecast_period:standard_name = \"forecast_period\"",
                         "forecast_reference_time:standard_name = \"forecast_reference_time\"", ":bulletin_date",
                         "time:units = \"hours since 1950-01-01 00:00:00\"", ":history", ":source"] {
            #expect(header.output.contains(expected), "ncdump -h lacks \(expected)")
        }
    }
}
