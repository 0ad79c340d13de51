import Foundation
import NetCDF
import TestSupport
import Testing

@Suite("CF decoding: packing, missing values, calendars, coordinates")
struct CFDecodingTests {
    /// A file with one packed short variable and the given attributes.
    static func packedFile(_ attributes: [String: AttributeValue], raw: [Double]) throws -> (CFDataset, Variable) {
        let path = try Scratch.folder() + "/packed.nc"
        let file = try NetCDFFile.create(path)
        let dim = try file.root.defineDimension("x", length: raw.count)
        let v = try file.root.defineVariable("v", type: .short, dimensions: [dim])
        for (name, value) in attributes { try v.setAttribute(name, value) }
        try file.endDefinitions()
        try v.write(raw, start: [0], count: [raw.count])
        try file.close()
        let dataset = try CFDataset(path: path)
        return (dataset, try dataset.variable("v"))
    }

    @Test("Fill, missing_value and valid_range are compared in packed space, then values are unpacked")
    func packing() throws {
        let (dataset, v) = try Self.packedFile([
            "scale_factor": .numbers([0.01], type: .float), "add_offset": .numbers([10], type: .float),
            "_FillValue": .numbers([-32767], type: .short), "missing_value": .numbers([-1], type: .short),
            "valid_range": .numbers([-1000, 1000], type: .short),
        ], raw: [-32767, -1, -1001, 0, 500, 1000, 1001])
        let decoded = try dataset.read(v, start: [0], count: [7])
        #expect(decoded[0].isNaN && decoded[1].isNaN && decoded[2].isNaN && decoded[6].isNaN)
        #expect(decoded[3] == Float(Double(Float(10))))
        #expect(abs(decoded[4] - 15) < 1e-5 && abs(decoded[5] - 20) < 1e-5)
    }

    @Test("valid_min and valid_max alone; a malformed packing attribute is an error naming it")
    func validBounds() throws {
        let (dataset, v) = try Self.packedFile(["valid_min": .numbers([0], type: .short), "valid_max": .numbers([9], type: .short)],
                                               raw: [-1, 0, 9, 10])
        let decoded = try dataset.read(v, start: [0], count: [4])
        #expect(decoded[0].isNaN && decoded[1] == 0 && decoded[2] == 9 && decoded[3].isNaN)
        let (bad, bv) = try Self.packedFile(["scale_factor": .text("0.1")], raw: [1])
        #expect(throws: NetCDFError.badAttribute(path: bad.path, variable: "v", attribute: "scale_factor",
                                                 problem: "expected one finite number, found \"0.1\"")) {
            try bad.read(bv, start: [0], count: [1])
        }
    }

    @Test("Calendars: day numbers round-trip and known dates", arguments: CFCalendar.allCases)
    func calendars(_ calendar: CFCalendar) {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = calendar.date(dayNumber: days)
            #expect(calendar.dayNumber(year: y, month: m, day: d) == days)
            #expect((1...calendar.daysIn(month: m, year: y)).contains(d))
        }
    }

    @Test("Time units in every calendar")
    func timeUnits() throws {
        let gregorian = try #require(CFTimeUnits(units: "hours since 1950-01-01 00:00:00", calendar: .standard))
        #expect(gregorian.date(648492).description == "2023-12-24T12:00:00")
        // Cross-check with Foundation's Gregorian calendar.
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let start = utc.date(from: DateComponents(year: 1950, month: 1, day: 1))!
        let c = utc.dateComponents([.year, .month, .day, .hour], from: start.addingTimeInterval(648492 * 3600))
        #expect([c.year, c.month, c.day, c.hour] == [2023, 12, 24, 12])

        let noLeap = try #require(CFTimeUnits(units: "days since 2001-01-01", calendar: .noLeap))
        #expect(noLeap.date(59).description == "2001-03-01T00:00:00")
        #expect(noLeap.date(365 * 4).description == "2005-01-01T00:00:00")
        let day360 = try #require(CFTimeUnits(units: "days since 2000-01-01T00:00:00Z", calendar: .day360))
        #expect(day360.date(360).description == "2001-01-01T00:00:00")
        #expect(day360.date(59).description == "2000-02-30T00:00:00")
        let proleptic = try #require(CFTimeUnits(units: "seconds since 1500-1-1 0:0:0", calendar: .prolepticGregorian))
        #expect(proleptic.date(86400 * 59).description == "1500-03-01T00:00:00") // 1500 is not a Gregorian leap year
        let allLeap = try #require(CFTimeUnits(units: "minutes since 2001-02-28", calendar: .allLeap))
        #expect(allLeap.date(1440).description == "2001-02-29T00:00:00")
        #expect(gregorian.value(gregorian.date(1234.5)) == 1234.5)

        #expect(CFTimeUnits(units: "fortnights since 2000-01-01", calendar: .standard) == nil)
        #expect(CFTimeUnits(units: "days since 2000-13-01", calendar: .standard) == nil)
        #expect(CFTimeUnits(units: "days since 1500-01-01", calendar: .standard) == nil)
        #expect(CFCalendar(attribute: "GREGORIAN") == .standard)
        #expect(CFCalendar(attribute: "julian") == nil)
    }

    /// A (time, depth, lat, lon) file whose coordinates are described by `describe`.
    static func gridFile(latName: String, lonName: String, depthName: String, timeName: String,
                         latAttributes: [String: AttributeValue], lonAttributes: [String: AttributeValue],
                         depthAttributes: [String: AttributeValue], timeAttributes: [String: AttributeValue],
                         depths: [Double] = [1, 5], latitudes: [Double] = [10, 11, 12], times: [Double] = [0, 24],
                         order: [Int] = [0, 1, 2, 3]) throws -> CFDataset {
        let path = try Scratch.folder() + "/grid.nc"
        let file = try NetCDFFile.create(path)
        let t = try file.root.defineDimension(timeName, length: nil)
        let z = try file.root.defineDimension(depthName, length: depths.count)
        let y = try file.root.defineDimension(latName, length: latitudes.count)
        let x = try file.root.defineDimension(lonName, length: 4)
        let coords = [(t, timeAttributes), (z, depthAttributes), (y, latAttributes), (x, lonAttributes)]
        var variables: [Variable] = []
        for (dim, attributes) in coords {
            let v = try file.root.defineVariable(dim.name, type: .double, dimensions: [dim])
            for (k, value) in attributes { try v.setAttribute(k, value) }
            variables.append(v)
        }
        let dims = [t, z, y, x]
        _ = try file.root.defineVariable("thetao", type: .float, dimensions: order.map { dims[$0] })
        try file.endDefinitions()
        try variables[0].write(times, start: [0], count: [times.count])
        try variables[1].write(depths, start: [0], count: [depths.count])
        try variables[2].write(latitudes, start: [0], count: [latitudes.count])
        try variables[3].write([350.0, 355, 0, 5] as [Double], start: [0], count: [4])
        try file.close()
        return try CFDataset(path: path)
    }

    @Test("Coordinates are found by standard_name, units, axis or name; depth positive up is flipped")
    func coordinates() throws {
        let byMetadata = try Self.gridFile(latName: "y_c", lonName: "x_c", depthName: "lvl", timeName: "tt",
                                           latAttributes: ["standard_name": .text("latitude")],
                                           lonAttributes: ["units": .text("degrees_east")],
                                           depthAttributes: ["axis": .text("Z"), "positive": .text("up")],
                                           timeAttributes: ["units": .text("hours since 2020-01-01"), "calendar": .text("noleap")],
                                           depths: [-1, -5])
        let v = try byMetadata.variable("thetao")
        try byMetadata.requireDimensions(v, [.time, .depth, .latitude, .longitude])
        let depth = try #require(try byMetadata.axis(.depth, of: v))
        #expect(depth.values == [1, 5] && depth.flippedToPositiveDown)
        let lon = try #require(try byMetadata.axis(.longitude, of: v))
        #expect(lon.usesPositiveLongitudes)
        #expect(lon.values.map(CFAxis.signedLongitude) == [-10, -5, 0, 5])
        let time = try #require(try byMetadata.timeAxis(of: v))
        #expect(time.dates.map(\.description) == ["2020-01-01T00:00:00", "2020-01-02T00:00:00"])

        let byName = try Self.gridFile(latName: "nav_lat", lonName: "nav_lon", depthName: "deptht", timeName: "time_counter",
                                       latAttributes: [:], lonAttributes: [:], depthAttributes: [:],
                                       timeAttributes: ["units": .text("days since 2020-01-01")], latitudes: [12, 11, 10])
        let w = try byName.variable("thetao")
        try byName.requireDimensions(w, [.time, .depth, .latitude, .longitude])
        #expect(try byName.axis(.latitude, of: w)?.isDescending == true)
    }

    @Test("Wrong dimension order, non-monotonic coordinates and bad time attributes are errors naming the problem")
    func badGrids() throws {
        let swapped = try Self.gridFile(latName: "lat", lonName: "lon", depthName: "depth", timeName: "time",
                                        latAttributes: [:], lonAttributes: [:], depthAttributes: [:],
                                        timeAttributes: ["units": .text("days since 2020-01-01")], order: [0, 1, 3, 2])
        let v = try swapped.variable("thetao")
        #expect(throws: NetCDFError.wrongShape(path: swapped.path, variable: "thetao",
                                               expected: "(time, depth, latitude, longitude)",
                                               found: "(time:time, depth:depth, lon:longitude, lat:latitude)")) {
            try swapped.requireDimensions(v, [.time, .depth, .latitude, .longitude])
        }
        let zigzag = try Self.gridFile(latName: "lat", lonName: "lon", depthName: "depth", timeName: "time",
                                       latAttributes: [:], lonAttributes: [:], depthAttributes: [:],
                                       timeAttributes: ["units": .text("days since 2020-01-01")], latitudes: [10, 12, 11])
        #expect(throws: NetCDFError.badCoordinate(path: zigzag.path, variable: "lat", problem: "not strictly monotonic")) {
            try zigzag.axis(.latitude, of: try zigzag.variable("thetao"))
        }
        let badCalendar = try Self.gridFile(latName: "lat", lonName: "lon", depthName: "depth", timeName: "time",
                                            latAttributes: [:], lonAttributes: [:], depthAttributes: [:],
                                            timeAttributes: ["units": .text("days since 2020-01-01"), "calendar": .text("lunar")])
        #expect(throws: NetCDFError.self) { try badCalendar.timeAxis(of: try badCalendar.variable("thetao")) }
        let badUnits = try Self.gridFile(latName: "lat", lonName: "lon", depthName: "depth", timeName: "time",
                                         latAttributes: [:], lonAttributes: [:], depthAttributes: [:],
                                         timeAttributes: ["units": .text("days after 2020-01-01")])
        do {
            _ = try badUnits.timeAxis(of: try badUnits.variable("thetao"))
            Issue.record("accepted bad units")
        } catch let error as NetCDFError {
            #expect(error.description.contains("'time'") && error.description.contains("days after 2020-01-01"))
        }
        let backwards = try Self.gridFile(latName: "lat", lonName: "lon", depthName: "depth", timeName: "time",
                                          latAttributes: [:], lonAttributes: [:], depthAttributes: [:],
                                          timeAttributes: ["units": .text("days since 2020-01-01")], times: [2, 1])
        #expect(throws: NetCDFError.badCoordinate(path: backwards.path, variable: "time", problem: "not strictly increasing")) {
            try backwards.timeAxis(of: try backwards.variable("thetao"))
        }
    }
}
