import Foundation
import NetCDF
import OceanGrid
import OceanStepper
import Surrogate
import TestSupport
import Testing

@Suite("forecastd simulate --config", .serialized, .enabled(if: Scratch.forecastd != nil, "needs the forecastd binary"))
struct SimulateCommandTests {
    static func configuration(step: Double = 1800, forcing: String = #"{"kind": "gyre", "tau0": 0.1}"#, extra: String = "") -> String {
        """
        {
          "grid": {"kind": "latlon", "south": 20, "north": 30, "west": -60, "east": -48, "resolution_deg": 0.5},
          "levels": [25, 50, 100, 250, 600],
          "bathymetry": {"kind": "basin", "depth": 1000,
                         "coasts": [{"side": "west", "width_deg": 1.5, "shelf_width_deg": 1, "shelf_depth": 100, "wiggle_deg": 0.5}]},
          "time": {"step_seconds": \(step), "start": "2021-03-01"},
          "forcing": \(forcing)\(extra)
        }
        """
    }

    static func write(_ text: String, in folder: String) throws -> String {
        let path = folder + "/config.json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("Daily means land as a CF file (land NaN, stamped at the end of each day) that the stepper reads back as an initial state from the day --start names")
    func dailyMeans() throws {
        let folder = try Scratch.folder()
        let config = try Self.write(Self.configuration(), in: folder)
        let first = try #require(Scratch.run(Scratch.forecastd!, ["simulate", "--config", config, "--days", "3", "--out", folder + "/a.nc"]))
        try #require(first.status == 0, "\(first.output)")
        let dataset = try CFDataset(path: folder + "/a.nc")
        let thetao = try dataset.variable("thetao"), zos = try dataset.variable("zos")
        #expect(thetao.shape == [3, 5, 20, 24])
        let times = try #require(try dataset.timeAxis(of: thetao))
        #expect(times.dates.map(\.description).first?.hasPrefix("2021-03-02") == true, "\(times.dates)")
        let surface = try dataset.read(thetao, start: [2, 0, 0, 0], count: [1, 1, 20, 24])
        #expect(surface.prefix(2).allSatisfy { $0.isNaN }, "the western coast is land")
        #expect(surface.filter(\.isFinite).allSatisfy { (0...30).contains($0) })
        let height = try dataset.read(zos, start: [2, 0, 0], count: [1, 20, 24]).filter(\.isFinite)
        #expect(height.contains { abs($0) > 1e-4 }, "the wind moved the free surface")
        let unchosen = try #require(Scratch.run(Scratch.forecastd!, ["simulate", "--config", config, "--init", folder + "/a.nc",
                                                                     "--days", "1", "--out", folder + "/b.nc"]))
        #expect(unchosen.status == 65 && unchosen.output.contains("holds 3 times") && unchosen.output.contains("--start"), "\(unchosen.output)")
        let again = try #require(Scratch.run(Scratch.forecastd!, ["simulate", "--config", config, "--init", folder + "/a.nc",
                                                                  "--start", "2021-03-04", "--days", "1", "--out", folder + "/b.nc"]))
        #expect(again.status == 0, "\(again.output)")
        let restarted = try CFDataset(path: folder + "/b.nc")
        let date = try #require(try restarted.timeAxis(of: try restarted.variable("so"))?.dates.first)
        #expect(date.description.hasPrefix("2021-03-05"), "one day after the init's last day: \(date)")
    }

    @Test("A time step above a stability limit exits 78 naming the field and the largest stable step; nothing is written")
    func unstable() throws {
        let folder = try Scratch.folder()
        let config = try Self.write(Self.configuration(step: 21_600), in: folder)
        let result = try #require(Scratch.run(Scratch.forecastd!, ["simulate", "--config", config, "--days", "1", "--out", folder + "/x.nc"]))
        #expect(result.status == 78, "\(result.output)")
        #expect(result.output.contains("time.step_seconds") && result.output.contains("largest stable step"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.nc"))
    }

    @Test("Missing or wrong fields exit 78 with the field named; a missing file exits 66")
    func badConfiguration() throws {
        let folder = try Scratch.folder()
        let broken = Self.configuration().replacingOccurrences(of: #""levels": [25, 50, 100, 250, 600],"#, with: "")
        let config = try Self.write(broken, in: folder)
        let missing = try #require(Scratch.run(Scratch.forecastd!, ["simulate", "--config", config, "--days", "1", "--out", folder + "/x.nc"]))
        #expect(missing.status == 78 && missing.output.contains("levels: missing"), "\(missing.output)")
        let kind = try Self.write(Self.configuration(forcing: #"{"kind": "hurricane"}"#), in: folder)
        let wrong = try #require(Scratch.run(Scratch.forecastd!, ["simulate", "--config", kind, "--days", "1", "--out", folder + "/x.nc"]))
        #expect(wrong.status == 78 && wrong.output.contains("forcing.kind"), "\(wrong.output)")
        let absent = try #require(Scratch.run(Scratch.forecastd!, ["simulate", "--config", folder + "/none.json", "--days", "1", "--out", folder + "/x.nc"]))
        #expect(absent.status == 66, "\(absent.output)")
    }

    @Test("A blow-up stops the run with the day, place and variable, exit 70, and leaves no output")
    func blowUp() throws {
        let folder = try Scratch.folder()
        // A hurricane-force stress with a low speed limit: the limit is crossed on the first day.
        let config = try Self.write(Self.configuration(forcing: #"{"kind": "gyre", "tau0": 5}"#,
                                                       extra: #", "physics": {"speed_limit": 0.2}"#), in: folder)
        let result = try #require(Scratch.run(Scratch.forecastd!, ["simulate", "--config", config, "--days", "3", "--out", folder + "/x.nc"]))
        #expect(result.status == 70, "\(result.output)")
        #expect(result.output.contains("blew up on day 1: speed") && result.output.contains("latitude"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.nc"))
    }
}
