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
}
