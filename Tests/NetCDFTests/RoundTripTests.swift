import Foundation
import NetCDF
import TestSupport
import Testing

@Suite("Write then read: every type, every attribute kind")
struct RoundTripTests {
    static let numericTypes: [NetCDFType] = [.byte, .ubyte, .short, .ushort, .int, .uint, .int64, .uint64, .float, .double]

    @Test("Variables of every numeric type and attributes of every type survive a round trip", arguments: numericTypes)
    func roundTrip(_ type: NetCDFType) throws {
        let folder = try Scratch.folder()
        let path = folder + "/types.nc"
        let values: [Double] = type.isUnsigned ? [0, 1, 7, 100, 127] : [-100, -1, 0, 1, 127]
        do {
            let file = try NetCDFFile.create(path)
            let dim = try file.root.defineDimension("x", length: values.count)
            let record = try file.root.defineDimension("t", length: nil)
            let variable = try file.root.defineVariable("v", type: type, dimensions: [record, dim])
            try variable.setAttribute("numbers", .numbers([1, 2, 3], type: type))
            try variable.setAttribute("note", .text("über ocean"))
            try variable.setAttribute("labels", .strings(["a", "bc"]))
            try file.root.setAttribute("Conventions", .text("CF-1.8"))
            try file.endDefinitions()
            try variable.write(values, start: [0, 0], count: [1, values.count])
            try variable.write(values.reversed(), start: [1, 0], count: [1, values.count])
            try file.close()
        }
        let file = try NetCDFFile.open(path)
        let variable = try file.root.variable("v")
        #expect(variable.type == type)
        #expect(variable.shape == [2, values.count])
        #expect(variable.dimensions[0].isUnlimited && !variable.dimensions[1].isUnlimited)
        #expect(try variable.readRaw() == values + values.reversed())
        #expect(try variable.readRaw(start: [1, 1], count: [1, 2]) == Array(values.reversed()[1...2]))
        let attributes = try variable.attributes()
        #expect(attributes["numbers"] == .numbers([1, 2, 3], type: type))
        #expect(attributes["note"] == .text("über ocean"))
        #expect(attributes["labels"] == .strings(["a", "bc"]))
        #expect(try file.root.attributes()["Conventions"]?.text == "CF-1.8")
        #expect(try file.format() == "netCDF-4")
    }

    @Test("Groups nest and hold their own variables and attributes")
    func groups() throws {
        let path = try Scratch.folder() + "/groups.nc"
        do {
            let file = try NetCDFFile.create(path)
            let forcing = try file.root.defineGroup("forcing")
            let dim = try forcing.defineDimension("x", length: 2)
            let v = try forcing.defineVariable("u10", type: .float, dimensions: [dim])
            try forcing.setAttribute("source", .text("synthetic"))
            try file.endDefinitions()
            try v.write([1.5, -2.5], start: [0], count: [2])
            try file.close()
        }
        let file = try NetCDFFile.open(path)
        let groups = try file.root.groups()
        #expect(try groups.map { try $0.name() } == ["forcing"])
        #expect(try groups[0].variable("u10").readRaw() == [1.5, -2.5])
        #expect(try groups[0].attributes()["source"]?.text == "synthetic")
        #expect(try file.root.variables().isEmpty)
    }

    @Test("Time axes round-trip through a file in every calendar", arguments: CFCalendar.allCases)
    func calendarFile(_ calendar: CFCalendar) throws {
        let path = try Scratch.folder() + "/time.nc"
        let units = try #require(CFTimeUnits(units: "days since 2000-02-27 12:00:00", calendar: calendar))
        let dates = (0..<5).map { units.date(Double($0)) }
        do {
            let file = try NetCDFFile.create(path)
            let t = try file.root.defineDimension("time", length: nil)
            let time = try file.root.defineVariable("time", type: .double, dimensions: [t])
            try time.setAttribute("units", .text(units.description))
            try time.setAttribute("calendar", .text(calendar.rawValue))
            _ = try file.root.defineVariable("zos", type: .float, dimensions: [t])
            try file.endDefinitions()
            try time.write(dates.map(units.value), start: [0], count: [5])
            try file.close()
        }
        let dataset = try CFDataset(path: path)
        let axis = try #require(try dataset.timeAxis(of: try dataset.variable("zos")))
        #expect(axis.dates == dates)
        #expect(axis.units.reference.calendar == calendar)
        let third = dates[2].description
        switch calendar {
        case .day360: #expect(third == "2000-02-29T12:00:00")
        case .noLeap: #expect(third == "2000-03-01T12:00:00")
        default: #expect(third == "2000-02-29T12:00:00")
        }
    }

    @Test("A slab outside the variable is an error naming file and variable")
    func slabOutside() throws {
        let folder = try Scratch.folder()
        let path = folder + "/slab.nc"
        let file = try NetCDFFile.create(path)
        let dim = try file.root.defineDimension("x", length: 3)
        let variable = try file.root.defineVariable("v", type: .float, dimensions: [dim])
        try file.endDefinitions()
        #expect(throws: NetCDFError.self) { try variable.readRaw(start: [2], count: [2]) }
        do {
            _ = try variable.readRaw(start: [2], count: [2])
        } catch let error as NetCDFError {
            #expect(error.description.contains(path) && error.description.contains("'v'"))
        }
        #expect(throws: NetCDFError.variableMissing(path: path, variable: "w", available: ["v"])) { try file.root.variable("w") }
    }

    @Test("Missing files and non-NetCDF files are told apart")
    func openErrors() throws {
        let folder = try Scratch.folder()
        #expect(throws: NetCDFError.fileMissing(path: folder + "/absent.nc")) { try NetCDFFile.open(folder + "/absent.nc") }
        let text = folder + "/text.nc"
        try "not netcdf at all".write(toFile: text, atomically: true, encoding: .utf8)
        do {
            _ = try NetCDFFile.open(text)
            Issue.record("opened a text file")
        } catch let error as NetCDFError {
            guard case .notNetCDF(let p, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(p == text)
        }
    }
}
