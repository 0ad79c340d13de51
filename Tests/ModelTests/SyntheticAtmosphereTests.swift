import Foundation
import NetCDF
import OceanGrid
import OceanStepper
import Surrogate
import Tensor
import TestSupport
import Testing

@Suite("Synthetic atmosphere")
struct SyntheticAtmosphereTests {
    static let latitudes = (0..<40).map { 20.125 + 0.5 * Double($0) }, longitudes = (0..<48).map { -79.875 + 0.5 * Double($0) }

    static func day(_ atmosphere: SyntheticAtmosphere, _ date: CFDateTime) -> [[Float]] {
        let day = AtmosphereDay.zeros(cells: latitudes.count * longitudes.count)
        atmosphere.fill(date, into: day)
        return day.fields.map { $0.toArray() }
    }

    @Test("Seeded: the same seed gives the same day, another seed other weather")
    func seeded() {
        let a = SyntheticAtmosphere(latitudes: Self.latitudes, longitudes: Self.longitudes, seed: 11)
        let b = SyntheticAtmosphere(latitudes: Self.latitudes, longitudes: Self.longitudes, seed: 12)
        let date = CFDateTime(year: 2003, month: 2, day: 10, calendar: .standard)
        #expect(Self.day(a, date) == Self.day(a, date))
        #expect(Self.day(a, date)[2] != Self.day(b, date)[2], "msl differs between seeds")
    }

    @Test("Climate: trades in the south, westerlies in the north, warm summers, storms moving through")
    func climate() {
        let atmosphere = SyntheticAtmosphere(latitudes: Self.latitudes, longitudes: Self.longitudes, seed: 5)
        let nx = Self.longitudes.count, ny = Self.latitudes.count
        var winterT = 0.0, summerT = 0.0, south = 0.0, north = 0.0, deepest = Float.infinity, pressures: [[Float]] = []
        for d in 1...60 {
            let january = Self.day(atmosphere, AtmosphereForcing.date(CFDateTime(year: 2000, month: 12, day: 1, calendar: .standard), plus: d))
            let july = Self.day(atmosphere, AtmosphereForcing.date(CFDateTime(year: 2001, month: 6, day: 15, calendar: .standard), plus: d))
            for i in 0..<nx {
                south += Double(january[0][i])                  // u10 at 20 N
                north += Double(january[0][(ny - 1) * nx + i])  // u10 at 40 N
                winterT += Double(january[3][(ny / 2) * nx + i])
                summerT += Double(july[3][(ny / 2) * nx + i])
            }
            deepest = min(deepest, january[2].min()!)
            pressures.append(january[2])
        }
        #expect(south < 0 && north > 0, "trades \(south), westerlies \(north)")
        #expect(summerT > winterT + 60 * Double(nx) * 5, "summer warmer than winter by > 5 K at 30 N")
        #expect(deepest < 100_000, "a storm's low below 1000 hPa: \(deepest)")
        // A low moves: the minimum's position changes from one day to the next on most days.
        let minima = pressures.map { p in p.indices.min(by: { p[$0] < p[$1] })! }
        #expect(Set(minima).count >= 20, "the pressure minimum wanders: \(Set(minima).count) places in 60 days")
        let shortwave = Self.day(atmosphere, CFDateTime(year: 2001, month: 6, day: 21, calendar: .standard))[5]
        #expect(shortwave.allSatisfy { (0...400).contains($0) } && shortwave.max()! > 200, "June sunshine")
    }

    /// A bulk-forced configuration (seed 9) in a scratch folder and `days` of its atmosphere from 2021-03-01,
    /// written by `forecastd atmosphere`.
    static func atmosphereFile(days: Int, label: String = #function) throws -> (folder: String, config: String, file: String) {
        let folder = try Scratch.folder(label)
        let config = try SimulateCommandTests.write(SimulateCommandTests.configuration(forcing: #"{"kind": "bulk", "seed": 9}"#), in: folder)
        let result = try #require(Scratch.run(Scratch.forecastd!, ["atmosphere", "--config", config, "--start", "2021-03-01",
                                                                   "--days", "\(days)", "--out", folder + "/atm.nc"]))
        try #require(result.status == 0, "\(result.output)")
        return (folder, config, folder + "/atm.nc")
    }

    @Test("forecastd atmosphere writes a file the forcing reader takes, identical to the fields made in memory",
          .enabled(if: Scratch.forecastd != nil, "needs the forecastd binary"))
    func file() throws {
        let (_, config, file) = try Self.atmosphereFile(days: 5)
        let grid = try StepperGrid(try StepperConfiguration.load(config), path: config)
        let forcing = try AtmosphereForcing(path: file, model: grid)
        let atmosphere = SyntheticAtmosphere(latitudes: grid.latitudes, longitudes: grid.longitudes, seed: 9)
        let read = AtmosphereDay.zeros(cells: grid.ny * grid.nx), made = AtmosphereDay.zeros(cells: grid.ny * grid.nx)
        let date = CFDateTime(year: 2021, month: 3, day: 4, calendar: .standard)
        try forcing.read(date, mode: .strict, into: read)
        atmosphere.fill(date, into: made)
        #expect(read.fields.map { $0.toArray() } == made.fields.map { $0.toArray() })
        #expect(forcing.missingDays(after: CFDateTime(year: 2021, month: 3, day: 1, calendar: .standard), days: 5).isEmpty)
    }

    @Test("Bulk forcing: the stepper forced by the file and by the built-in atmosphere makes the same ocean",
          .enabled(if: Scratch.forecastd != nil, "needs the forecastd binary"))
    func bulkForcing() throws {
        let forecastd = Scratch.forecastd!
        let (folder, config, file) = try Self.atmosphereFile(days: 3)
        for (name, extra) in [("file.nc", ["--forcing", file]), ("builtin.nc", [])] {
            let run = try #require(Scratch.run(forecastd, ["simulate", "--config", config, "--days", "3", "--out", folder + "/" + name] + extra))
            try #require(run.status == 0, "\(run.output)")
        }
        let a = try StepperRestartTests.means(folder + "/file.nc"), b = try StepperRestartTests.means(folder + "/builtin.nc")
        for name in a.keys.sorted() { #expect(StepperRestartTests.same(a[name]!, b[name]!), "\(name)") }
        let sst = a["thetao"]!.prefix(20 * 24).filter(\.isFinite), speed = a["uo"]!.filter(\.isFinite).map(abs).max()!
        #expect(sst.allSatisfy { (5...35).contains($0) } && speed > 0.01, "a forced ocean: SST \(sst.min()!)...\(sst.max()!), speed \(speed)")
        let short = try #require(Scratch.run(forecastd, ["simulate", "--config", config, "--days", "4", "--out", folder + "/x.nc",
                                                         "--forcing", file]))
        #expect(short.status == 65 && short.output.contains("atm.nc"), "a day missing from the file: \(short.output)")
    }
}
