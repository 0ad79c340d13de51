import Foundation
import TestSupport
import Testing

@Suite("forecastd run through the binary: exit codes and messages",
       .enabled(if: Scratch.forecastd != nil && ForecastFixtures.available, "needs the forecastd binary and the Python fixtures"))
struct RunCommandTests {
    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let result = Scratch.run(Scratch.forecastd!, ["run"] + arguments)!
        return (result.status, result.output)
    }

    @Test("0 with a per-day log; 65 for missing forcing days; 66 for a missing file; 74 for an unwritable output; 64 for bad options")
    func exitCodes() throws {
        let model = try ForecastFixtures.model.get(), inputs = try ForecastFixtures.inputs(["--days", "4"])
        let common = ["--model", model, "--init", inputs + "/init.nc", "--forcing", inputs + "/forcing.nc"]
        let ok = Self.run(common + ["--days", "4", "--out", inputs + "/ok.nc", "--threads", "1"])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output.contains("event=day day=4 days=4") && ok.output.contains("event=done"), "\(ok.output)")
        let missing = Self.run(common + ["--out", inputs + "/long.nc"])
        #expect(missing.status == 65 && missing.output.contains("no forcing for 11 forecast day(s)"), "\(missing.output)")
        let noInit = Self.run(["--model", model, "--init", inputs + "/absent.nc", "--forcing", inputs + "/forcing.nc", "--out", inputs + "/x.nc"])
        #expect(noInit.status == 66, "\(noInit.output)")
        let unwritable = Self.run(common + ["--days", "2", "--out", "/nonexistent/out.nc"])
        #expect(unwritable.status == 74, "\(unwritable.output)")
        let badVar = Self.run(common + ["--out", inputs + "/y.nc", "--var", "temperature=votemper"])
        #expect(badVar.status == 64, "\(badVar.output)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: inputs).sorted()
        #expect(leftovers == ["forcing.nc", "init.nc", "ok.nc"])
    }

    @Test("Per-day files named as WenHai's pipeline names them: OUT/fcstYYYYMMDD/fcstYYYYMMDD_leadN.nc, each day the one-file forecast's")
    func wenhaiDayFiles() throws {
        let model = try ForecastFixtures.model.get(), inputs = try ForecastFixtures.inputs(["--days", "3"])
        let common = ["--model", model, "--init", inputs + "/init.nc", "--forcing", inputs + "/forcing.nc", "--days", "3", "--threads", "1"]
        let single = Self.run(common + ["--out", inputs + "/single.nc"])
        try #require(single.status == 0, "\(single.output)")
        let days = Self.run(common + ["--out", inputs + "/wenhai", "--day-file-names", "wenhai"])
        try #require(days.status == 0, "\(days.output)")
        // make_forecast_case.py starts on 2024-03-01: the days are valid on 2 to 4 March.
        let names = (1...3).map { "fcst2024030\($0 + 1)/fcst2024030\($0 + 1)_lead\($0).nc" }
        for name in names {
            #expect(FileManager.default.fileExists(atPath: inputs + "/wenhai/" + name), "\(name) missing")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: inputs + "/wenhai").sorted() == names.map { String($0.prefix(12)) })
        let check = try #require(Scratch.run("python3", ["-c", """
            import sys, xarray as xr, numpy as np
            one = xr.open_dataset(sys.argv[1])
            for k, path in enumerate(sys.argv[2:]):
                day = xr.open_dataset(path)
                assert day.sizes["time"] == 1 and day.time.values[0] == one.time.values[k], path
                for v in ["thetao", "so", "uo", "vo", "zos"]:
                    assert np.array_equal(day[v].values[0], one[v].values[k], equal_nan=True), (path, v)
            """, inputs + "/single.nc"] + names.map { inputs + "/wenhai/" + $0 }))
        #expect(check.status == 0, "\(check.output)")
        let bad = Self.run(common + ["--out", inputs + "/x", "--day-file-names", "daily"])
        #expect(bad.status == 64, "\(bad.output)")
    }
}
