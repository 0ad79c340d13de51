import Foundation
import NetCDF
import OceanGrid
import TestSupport
import Testing

/// `forecastd verify` and `forecastd plot` on tools/reference/verification_case.py's files, whose expected
/// scores numpy computes independently.
@Suite("forecastd verify and plot", .enabled(if: Scratch.python(has: ["numpy", "netCDF4"]), "needs python3 with numpy and netCDF4"))
struct VerifyTests {
    /// A new folder holding the case's files and expected.json.
    static func verificationCase() throws -> String {
        let folder = try Scratch.folder("verify")
        let result = Scratch.run("python3", [Scratch.tools + "/reference/verification_case.py", folder])
        #expect(result?.status == 0, "\(result?.output ?? "python3 did not start")")
        return folder
    }

    struct Expected: Decodable {
        var system: String, variable: String, depth: Double?, lead: Int, rmse: Double, bias: Double, acc: Double?, cells: Int
    }

    @Test("RMSE, bias, anomaly correlation and cells equal numpy's for every system, variable, depth and lead; gaps stay gaps")
    func scoresAgainstNumpy() throws {
        let folder = try Self.verificationCase()
        let expected = try JSONDecoder().decode([Expected].self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json")))
        let report = try SkillVerification.verify(truth: folder + "/truth.nc",
                                                  systems: [.init(name: "forecast", path: folder + "/forecast.nc"),
                                                            .init(name: "gappy", path: folder + "/gappy.nc")],
                                                  initial: folder + "/init.nc")
        #expect(report.scores.count == expected.count, "numpy scored \(expected.count), verify \(report.scores.count)")
        #expect(report.referenceTime == "2004-06-01T00:00:00")
        for e in expected {
            let s = report.scores.first { $0.system == e.system && $0.variable == e.variable && $0.depth == e.depth && $0.lead == e.lead }
            guard let s else { Issue.record("no score for \(e)"); continue }
            #expect(abs(s.rmse - e.rmse) <= 1e-9 * e.rmse && abs(s.bias - e.bias) <= 1e-9 * max(abs(e.bias), e.rmse), "\(s) vs \(e)")
            #expect(s.cells == e.cells, "\(s) vs \(e)")
            switch (s.acc, e.acc) {
            case let (a?, b?): #expect(abs(a - b) <= 1e-9, "\(s) vs \(e)")
            case (nil, nil): break
            default: Issue.record("ACC \(String(describing: s.acc)) where numpy has \(String(describing: e.acc))")
            }
        }
        #expect(report.scores.contains { $0.system == "forecast" && $0.lead == 2 && $0.missing == 1 })
        #expect(report.winner(variable: "thetao", depth: 5, lead: 1) == "forecast")
        #expect(report.winner(variable: "thetao", depth: 5, lead: 4) == nil, "only persistence reaches lead 4")
    }

    @Test("Without an init: leads from forecast_reference_time, no persistence, no ACC; a forecast without one is refused")
    func withoutInit() throws {
        let folder = try Self.verificationCase()
        let report = try SkillVerification.verify(truth: folder + "/truth.nc", systems: [.init(name: "f", path: folder + "/forecast.nc")],
                                                  initial: nil, leads: [1, 3])
        #expect(Set(report.scores.map(\.lead)) == [1, 3] && report.scores.count == 2 * 3)
        #expect(report.scores.allSatisfy { $0.acc == nil && $0.system == "f" })
        #expect(throws: ForecastError.self) {
            _ = try SkillVerification.verify(truth: folder + "/truth.nc", systems: [.init(name: "g", path: folder + "/gappy.nc")], initial: nil)
        }
    }

    @Test("Another grid, a missing variable: refused naming the file, the variable and what differs")
    func notVerifiable() throws {
        let folder = try Self.verificationCase()
        do {
            _ = try SkillVerification.verify(truth: folder + "/truth.nc", systems: [.init(name: "s", path: folder + "/shifted.nc")],
                                             initial: folder + "/init.nc")
            Issue.record("a shifted grid was verified")
        } catch ForecastError.inputData(let path, let variable, let detail) {
            #expect(path == folder + "/shifted.nc" && variable == "thetao" && detail.contains("not the same grid"), "\(detail)")
        }
        #expect(throws: NetCDFError.variableMissing(path: folder + "/truth.nc", variable: "so",
                                                    available: ["time", "depth", "latitude", "longitude", "thetao", "zos"])) {
            _ = try SkillVerification.verify(truth: folder + "/truth.nc", systems: [.init(name: "f", path: folder + "/forecast.nc")],
                                             initial: nil, variables: ["so"])
        }
    }

    @Test("Through the binary: tables, JSON, the report and charts; exit 0 whatever the skill, 64-66 for unusable inputs",
          .enabled(if: Scratch.forecastd != nil && PlottingSupport.pillow, "needs the forecastd binary and python3 with Pillow"))
    func verifyCommand() throws {
        let folder = try Self.verificationCase(), program = Scratch.forecastd!
        let common = ["verify", "--truth", folder + "/truth.nc", "--init", folder + "/init.nc"]
        let text = try #require(Scratch.run(program, common + [folder + "/forecast.nc", "late=" + folder + "/gappy.nc", "--plot", folder]))
        #expect(text.status == 0, "\(text.output)")
        #expect(text.output.contains("persistence (\(folder)/init.nc)") && text.output.contains("late (\(folder)/gappy.nc)"))
        #expect(text.output.contains("thetao@5m   forecast 3, late 0, persistence 0"), "\(text.output)")
        for variable in ["thetao", "zos"] {
            let png = try PlottingSupport.size(folder + "/rmse_\(variable).png")
            #expect(png.width == 960 && png.height == 600)
        }
        let json = try #require(Scratch.run(program, common + [folder + "/forecast.nc", "--json", "--leads", "2", "--report", folder + "/skill.md"]))
        #expect(json.status == 0)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        #expect((decoded?["scores"] as? [[String: Any]])?.count == 2 * 3)
        #expect(try String(contentsOfFile: folder + "/skill.md", encoding: .utf8).contains("| thetao | 50 | 2 | 2004-06-03T00:00:00 | forecast |"))
        let shifted = try #require(Scratch.run(program, common + [folder + "/shifted.nc"]))
        #expect(shifted.status == 65 && shifted.output.contains("shifted.nc") && shifted.output.contains("not the same grid"), "\(shifted.output)")
        #expect(Scratch.run(program, common + [folder + "/absent.nc"])?.status == 66)
        #expect(Scratch.run(program, common + ["--leads", "0"])?.status == 64)
        #expect(Scratch.run(program, common + ["a=" + folder + "/forecast.nc", "a=" + folder + "/gappy.nc"])?.status == 64)
    }

    @Test("plot: a map of the chosen field; a variable, depth or time the file lacks is exit 64 naming what it has; a damaged file 65; no partial PNG",
          .enabled(if: Scratch.forecastd != nil && PlottingSupport.pillow, "needs the forecastd binary and python3 with Pillow"))
    func plotCommand() throws {
        let folder = try Self.verificationCase(), program = Scratch.forecastd!
        let out = folder + "/map.png"
        let drawn = try #require(Scratch.run(program, ["plot", folder + "/forecast.nc", "--var", "thetao", "--depth", "50", "--day", "2", "--out", out]))
        #expect(drawn.status == 0, "\(drawn.output)")
        let png = try PlottingSupport.size(out)
        #expect(png.width > 7 * 100 && png.height > 6 * 100)
        #expect(try PlottingSupport.colours(out).contains("aaaaaa"), "land is grey")
        func refused(_ arguments: [String], _ status: Int32, _ words: [String]) throws {
            let target = folder + "/refused.png"
            let r = try #require(Scratch.run(program, ["plot"] + arguments + ["--out", target]))
            #expect(r.status == status, "\(arguments): \(r.output)")
            for word in words { #expect(r.output.contains(word), "\(arguments): \(r.output)") }
            #expect(!FileManager.default.fileExists(atPath: target))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains("partial") }
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
        try refused([folder + "/forecast.nc", "--var", "so"], 64, ["'so'", "thetao, zos"])
        try refused([folder + "/forecast.nc", "--var", "thetao", "--depth", "3000"], 64, ["3000", "5, 50 m"])
        try refused([folder + "/forecast.nc", "--var", "thetao", "--day", "9"], 64, ["lead day 9", "3 times"])
        try refused([folder + "/truth.nc", "--var", "zos", "--time", "2004-07-01"], 64, ["2004-07-01"])
        try refused([folder + "/truth.nc", "--var", "zos", "--day", "1"], 64, ["lead day 1"])
        let damaged = folder + "/damaged.nc"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/forecast.nc"))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: damaged))
        try refused([damaged, "--var", "thetao"], 65, ["damaged.nc"])
        let missingFolder = try #require(Scratch.run(program, ["plot", folder + "/forecast.nc", "--var", "zos", "--out", folder + "/no/such/map.png"]))
        #expect(missingFolder.status == 74, "\(missingFolder.output)")
    }
}

/// Reading PNGs back with Pillow, an independent decoder.
enum PlottingSupport {
    static let pillow = Scratch.python(has: ["PIL"])

    static func size(_ path: String) throws -> (width: Int, height: Int) {
        let r = try #require(Scratch.run("python3", ["-c", "import sys; from PIL import Image; i = Image.open(sys.argv[1]); i.load(); print(*i.size)", path]))
        let parts = r.output.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(r.status == 0 && parts.count == 2, "\(r.output)")
        return parts.count == 2 ? (parts[0], parts[1]) : (0, 0)
    }

    /// The image's distinct colours as hex strings.
    static func colours(_ path: String) throws -> Set<String> {
        let script = "import sys; from PIL import Image; i = Image.open(sys.argv[1]).convert('RGB'); "
            + "print(' '.join('%02x%02x%02x' % c for _, c in i.getcolors(1 << 24)))"
        let r = try #require(Scratch.run("python3", ["-c", script, path]))
        return Set(r.output.split(whereSeparator: \.isWhitespace).map(String.init))
    }
}
