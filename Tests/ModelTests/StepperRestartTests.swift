import Foundation
import NetCDF
import OceanGrid
import OceanStepper
import Surrogate
import TestSupport
import Testing

@Suite("forecastd simulate restarts", .serialized, .enabled(if: Scratch.forecastd != nil, "needs the forecastd binary"))
struct StepperRestartTests {
    /// The daily means of every output variable, in file order.
    static func means(_ path: String) throws -> [String: [Float]] {
        let dataset = try CFDataset(path: path)
        var out: [String: [Float]] = [:]
        for name in ["thetao", "so", "uo", "vo", "zos"] {
            let v = try dataset.variable(name)
            out[name] = try dataset.read(v, start: v.shape.map { _ in 0 }, count: v.shape)
        }
        return out
    }

    static func same(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    static func config(in folder: String) throws -> String {
        try SimulateCommandTests.write(SimulateCommandTests.configuration(
            forcing: #"{"kind": "bulk", "seed": 3}"#, extra: #", "physics": {"salinity_restoring_days": 30}"#)
            .replacingOccurrences(of: #""start": "2021-03-01""#, with: #""start": "2021-03-01", "restart_days": 1"#), in: folder)
    }

    @Test("A run killed with SIGKILL resumes from its last restart and ends bit for bit as an uninterrupted run")
    func killAndResume() throws {
        let folder = try Scratch.folder()
        let config = try Self.config(in: folder)
        let days = "150"
        let straight = try #require(Scratch.run(Scratch.forecastd!, ["simulate", "--config", config, "--days", days, "--out", folder + "/straight.nc"]))
        try #require(straight.status == 0, "\(straight.output)")
        let arguments = ["simulate", "--config", config, "--days", days, "--out", folder + "/resumed.nc", "--restart-dir", folder + "/restart"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Scratch.forecastd!)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        let restart = folder + "/restart/restart.nc"
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: restart) && Date() < deadline { usleep(5_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try #require(process.terminationReason == .uncaughtSignal, "the run ended before it could be killed")
        #expect(!FileManager.default.fileExists(atPath: folder + "/resumed.nc"), "no output from a killed run")
        let resumed = try #require(Scratch.run(Scratch.forecastd!, arguments))
        try #require(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.output.contains("event=resumed"), "\(resumed.output.prefix(300))")
        let a = try Self.means(folder + "/straight.nc"), b = try Self.means(folder + "/resumed.nc")
        for name in a.keys.sorted() { #expect(Self.same(a[name]!, b[name]!), "\(name) differs after the resume") }
        let left = try FileManager.default.contentsOfDirectory(atPath: folder + "/restart")
        #expect(left == ["restart.nc"], "segments are merged and removed: \(left)")
    }

    @Test("--init with a restart file continues that run exactly; a restart folder of another run is refused (65)")
    func chainAndRefuse() throws {
        let folder = try Scratch.folder()
        let config = try Self.config(in: folder)
        let whole = try #require(Scratch.run(Scratch.forecastd!, ["simulate", "--config", config, "--days", "4", "--out", folder + "/whole.nc"]))
        try #require(whole.status == 0, "\(whole.output)")
        let first = try #require(Scratch.run(Scratch.forecastd!, ["simulate", "--config", config, "--days", "2", "--out", folder + "/a.nc",
                                                                  "--restart-dir", folder + "/r"]))
        try #require(first.status == 0, "\(first.output)")
        let second = try #require(Scratch.run(Scratch.forecastd!, ["simulate", "--config", config, "--init", folder + "/r/restart.nc",
                                                                   "--days", "2", "--out", folder + "/b.nc"]))
        try #require(second.status == 0, "\(second.output)")
        let all = try Self.means(folder + "/whole.nc"), head = try Self.means(folder + "/a.nc"), tail = try Self.means(folder + "/b.nc")
        for name in all.keys.sorted() {
            let v = all[name]!, half = v.count / 2
            #expect(Self.same(Array(v[..<half]), head[name]!), "\(name), days 1-2")
            #expect(Self.same(Array(v[half...]), tail[name]!), "\(name), days 3-4 continued from the restart file")
        }
        let other = try #require(Scratch.run(Scratch.forecastd!, ["simulate", "--config", config, "--days", "3", "--out", folder + "/c.nc",
                                                                  "--restart-dir", folder + "/r"]))
        #expect(other.status == 65 && other.output.contains("written by another run"), "\(other.output)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/c.nc"))
    }
}
