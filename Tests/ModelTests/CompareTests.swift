import Foundation
import NetCDF
import OceanGrid
import OceanStepper
import Surrogate
import TestSupport
import Testing

@Suite("forecastd compare")
struct CompareTests {
    static let latitudes: [Double] = [10, 11, 12, 13, 14, 15]
    static let longitudes: [Double] = [120, 121, 122, 123, 124, 125, 126, 127]
    static let depths = [0.5, 10.0]

    /// A two-day forecast file with thetao (2 levels) and zos whose values come from `value(day, level, cell)`.
    static func write(_ path: String, latitudes: [Double] = latitudes, _ value: (Int, Int, Int) -> Float) throws {
        let layout = ForecastLayout(latitudes: latitudes, longitudes: longitudes, depths: depths, variables: [
            ForecastVariable(name: "thetao", standardName: OceanVariable.thetao.standardName, units: "degrees_C",
                             longName: "Temperature", hasDepth: true, packingRange: -5...40),
            ForecastVariable(name: "zos", standardName: OceanVariable.zos.standardName, units: "m",
                             longName: "Sea surface height", hasDepth: false, packingRange: -3...3),
        ], referenceTime: CFDateTime(year: 2024, month: 3, day: 1, calendar: .standard))
        let writer = try ForecastWriter(path: path, layout: layout)
        let plane = latitudes.count * longitudes.count
        for day in 0..<2 {
            let thetao = (0..<(2 * plane)).map { value(day, $0 / plane, $0 % plane) }
            let zos = (0..<plane).map { value(day, 2, $0) * 0.01 }
            try writer.writeDay(leadHours: Double(24 * (day + 1)), values: ["thetao": thetao, "zos": zos])
        }
        try writer.finish()
    }

    static func base(_ day: Int, _ level: Int, _ cell: Int) -> Float {
        cell == 0 ? .nan : 15 + Float(day) + 0.1 * Float(level) + 0.01 * Float(cell)
    }

    @Test("Identical files, 1e-6 and 1e-3 relative differences, a NaN mask that differs: digits, tolerances, locations")
    func handMade() throws {
        let folder = try Scratch.folder("compare")
        let ref = folder + "/ref.nc"
        try Self.write(ref, Self.base)
        try Self.write(folder + "/same.nc", Self.base)
        try Self.write(folder + "/e6.nc") { d, l, c in Self.base(d, l, c) * (c == 17 && l == 1 ? 1 + 1e-6 : 1) }
        try Self.write(folder + "/e3.nc") { d, l, c in Self.base(d, l, c) * (c == 30 && d == 1 ? 1 + 1e-3 : 1) }
        try Self.write(folder + "/mask.nc") { d, l, c in c == 5 && l == 0 ? .nan : Self.base(d, l, c) }

        let same = try ForecastComparison.compare(reference: ref, candidate: folder + "/same.nc", checksums: true)
        #expect(!same.regression && same.fields.count == 2 * 2 + 2)
        #expect(same.fields.allSatisfy { $0.matchingDigits == 16 && $0.maxAbsDifference == 0 && $0.cells == 47 })
        #expect(same.checksums?["thetao"]?[0] == same.checksums?["thetao"]?[1])

        let e6 = try ForecastComparison.compare(reference: ref, candidate: folder + "/e6.nc")
        let worst6 = try #require(e6.fields.max { $0.maxRelDifference < $1.maxRelDifference })
        #expect(worst6.matchingDigits == 6 && worst6.depth == 10 && worst6.maxAbsAt == [12, 121], "\(worst6)")
        #expect(e6.regression)
        #expect(!(try ForecastComparison.compare(reference: ref, candidate: folder + "/e6.nc", tolerance: .init(rtol: 1e-5))).regression)
        #expect(!(try ForecastComparison.compare(reference: ref, candidate: folder + "/e6.nc", tolerance: .init(digits: 6))).regression)
        #expect((try ForecastComparison.compare(reference: ref, candidate: folder + "/e6.nc", tolerance: .init(digits: 7))).regression)

        let e3 = try ForecastComparison.compare(reference: ref, candidate: folder + "/e3.nc", tolerance: .init(rtol: 1e-4))
        let worst3 = try #require(e3.fields.max { $0.maxRelDifference < $1.maxRelDifference })
        #expect(worst3.matchingDigits == 3 && worst3.time == "2024-03-03T00:00:00" && e3.regression)

        let mask = try ForecastComparison.compare(reference: ref, candidate: folder + "/mask.nc", tolerance: .init(rtol: 1))
        #expect(mask.regression && mask.fields.filter { $0.maskMismatches == 1 }.count == 2)
    }

    @Test("Different grids are not comparable, and say how")
    func notComparable() throws {
        let folder = try Scratch.folder("compare-grid")
        try Self.write(folder + "/a.nc", Self.base)
        try Self.write(folder + "/b.nc", latitudes: Self.latitudes.map { $0 + 0.5 }, Self.base)
        #expect(throws: ForecastError.inputData(path: folder + "/b.nc", variable: "thetao",
                                                detail: "latitude 0 is 10.5 where \(folder)/a.nc has 10.0: not the same grid")) {
            _ = try ForecastComparison.compare(reference: folder + "/a.nc", candidate: folder + "/b.nc")
        }
    }

    /// `cdo diffn`'s Max_Absdiff per differing record, in its record order.
    static func cdoMaxAbsDifferences(_ a: String, _ b: String) throws -> [Double] {
        // Record lines: "  N : DATE TIME LEVEL GRIDSIZE MISS DIFF : S Z MAX_ABSDIFF MAX_RELDIFF : NAME".
        let result = try #require(Scratch.run("cdo", ["diffn", a, b]))
        return result.output.split(separator: "\n").compactMap { line -> Double? in
            let parts = line.components(separatedBy: " : ")
            guard parts.count == 4, Int(parts[0].trimmingCharacters(in: .whitespaces)) != nil else { return nil }
            let stats = parts[2].split(separator: " ")
            return stats.count == 4 ? Double(stats[2]) : nil
        }
    }

    /// NCO's largest |difference| per (time, depth) record: ncdiff, then ncwa -y mabs over latitude and longitude.
    static func ncoMaxAbsDifferences(_ a: String, _ b: String, folder: String) throws -> [Double] {
        let diff = folder + "/nco-diff.nc", mabs = folder + "/nco-mabs.nc"
        try #require(Scratch.run("ncdiff", ["-O", b, a, diff])?.status == 0)
        try #require(Scratch.run("ncwa", ["-O", "-y", "mabs", "-a", "latitude,longitude", diff, mabs])?.status == 0)
        let printed = try #require(Scratch.run("ncks", ["--trd", "-H", "-C", "-v", "thetao,zos", mabs]))
        return printed.output.split(separator: "\n").compactMap { line in
            line.split(separator: " ").last.flatMap { $0.split(separator: "=").last }.flatMap { Double($0) }
        }
    }

    @Test("The same largest differences as NCO (ncdiff + ncwa -y mabs), record by record",
          .enabled(if: Scratch.has("ncdiff") && Scratch.has("ncwa"), "needs NCO (apt package nco)"))
    func againstNCO() throws {
        let folder = try Scratch.folder("compare-nco")
        try Self.write(folder + "/ref.nc", Self.base)
        try Self.write(folder + "/new.nc") { d, l, c in Self.base(d, l, c) - (c % 5 == 2 ? 0.003 * Float(d + 2 * l + 1) : 0) }
        let ours = try ForecastComparison.compare(reference: folder + "/ref.nc", candidate: folder + "/new.nc")
        let nco = try Self.ncoMaxAbsDifferences(folder + "/ref.nc", folder + "/new.nc", folder: folder)
        #expect(nco.count == ours.fields.count, "NCO printed \(nco)")
        for (a, b) in zip(ours.fields.map(\.maxAbsDifference).sorted(), nco.sorted()) {
            #expect(abs(a - b) <= 1e-4 * max(b, 1e-9), "\(a) vs NCO \(b)")
        }
    }

    @Test("The same largest differences as cdo diffn, record by record; exit statuses through the binary",
          .enabled(if: Scratch.has("cdo") && Scratch.forecastd != nil, "needs cdo and the forecastd binary"))
    func againstCDO() throws {
        let folder = try Scratch.folder("compare-cdo")
        try Self.write(folder + "/ref.nc", Self.base)
        try Self.write(folder + "/new.nc") { d, l, c in Self.base(d, l, c) + (c % 7 == 3 ? 0.002 * Float(d + l + 1) : 0) }
        let ours = try ForecastComparison.compare(reference: folder + "/ref.nc", candidate: folder + "/new.nc")
        let cdo = try Self.cdoMaxAbsDifferences(folder + "/ref.nc", folder + "/new.nc")
        let differing = ours.fields.filter { $0.maxAbsDifference > 0 }.map(\.maxAbsDifference).sorted()
        #expect(differing.count == cdo.count, "cdo reports \(cdo)")
        for (a, b) in zip(differing, cdo.sorted()) { #expect(abs(a - b) <= 1e-4 * max(b, 1e-9), "\(a) vs cdo \(b)") }
        let program = Scratch.forecastd!
        #expect(Scratch.run(program, ["compare", folder + "/ref.nc", folder + "/ref.nc"])?.status == 0)
        #expect(Scratch.run(program, ["compare", folder + "/ref.nc", folder + "/new.nc"])?.status == 1)
        #expect(Scratch.run(program, ["compare", folder + "/ref.nc", folder + "/new.nc", "--atol", "0.01"])?.status == 0)
        #expect(Scratch.run(program, ["compare", folder + "/ref.nc", folder + "/new.nc", "--vars", "zos,so"])?.status == 65)
        #expect(Scratch.run(program, ["compare", folder + "/ref.nc", folder + "/absent.nc"])?.status == 66)
        let report = folder + "/report.md"
        #expect(Scratch.run(program, ["compare", folder + "/ref.nc", folder + "/new.nc", "--report", report, "--json"])?.status == 1)
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains("| thetao | 2024-03-02T00:00:00 | 0.5 |"))
    }
}
