import Foundation
import NetCDF
import OceanGrid
import OceanStepper
import Surrogate
import Tensor
import TestSupport
import Testing

@Suite("forecastd run: 15 days from NetCDF to NetCDF",
       .enabled(if: ForecastFixtures.available, "needs python3 with numpy, safetensors, netCDF4, ml_dtypes"))
struct ForecastJobTests {
    static func request(_ case: String, _ out: String, days: Int = 15) throws -> ForecastRequest {
        var r = ForecastRequest(model: try ForecastFixtures.model.get(), initial: `case` + "/init.nc",
                                forcing: `case` + "/forcing.nc", output: out)
        r.days = days
        return r
    }

    /// Every variable's decoded values in a forecast file.
    static func contents(_ path: String) throws -> [String: [Float]] {
        let d = try CFDataset(path: path)
        var out: [String: [Float]] = [:]
        for name in ["thetao", "so", "uo", "vo", "zos"] {
            let v = try d.variable(name)
            out[name] = try d.read(v, start: v.dimensions.map { _ in 0 }, count: v.dimensions.map(\.length))
        }
        return out
    }

    @Test("15 daily times from the init's time, NaN exactly on the init's land, bitwise repeatable, 1 vs 2 threads within 1e-5")
    func endToEnd() throws {
        let inputs = try ForecastFixtures.inputs()
        let first = inputs + "/a.nc", second = inputs + "/b.nc", two = inputs + "/c.nc"
        var days: [Int] = []
        let summary = try ForecastJob.run(try Self.request(inputs, first), pool: ThreadPool(threads: 1), progress: { days.append($0.day) })
        #expect(days == Array(1...15))
        #expect(summary.outputs == [first])
        _ = try ForecastJob.run(try Self.request(inputs, second), pool: ThreadPool(threads: 1))
        _ = try ForecastJob.run(try Self.request(inputs, two), pool: ThreadPool(threads: 2))
        let a = try Self.contents(first), b = try Self.contents(second), c = try Self.contents(two)
        for name in a.keys {
            #expect(a[name]!.map(\.bitPattern) == b[name]!.map(\.bitPattern), "\(name): two identical runs differ")
            let scale = a[name]!.filter { !$0.isNaN }.map { abs(Double($0)) }.max() ?? 1
            let worst = zip(a[name]!, c[name]!).map { $0.isNaN && $1.isNaN ? 0 : abs(Double($0) - Double($1)) }.max() ?? 0
            #expect(worst / scale <= 1e-5, "\(name): 1 and 2 threads differ by \(worst / scale)")
        }
        // Land: NaN where the initial state is NaN, on every day; nowhere else.
        let initial = try CFDataset(path: inputs + "/init.nc")
        let so0 = try initial.read(try initial.variable("so"), start: [0, 0, 0, 0], count: [1, 3, 40, 60])
        let perDay = so0.count
        for day in 0..<15 {
            let slice = a["so"]![(day * perDay)..<((day + 1) * perDay)]
            #expect(zip(slice, so0).allSatisfy { $0.isNaN == $1.isNaN }, "day \(day + 1): land differs from the init's")
        }
        #expect(a["thetao"]!.filter { !$0.isNaN }.allSatisfy { (-2.5...40).contains($0) })
        // An independent reader: xarray decodes 15 daily times after the reference time.
        if Scratch.python(has: ["xarray", "netCDF4", "cftime"]) {
            let result = try #require(Scratch.run("python3", [Scratch.tools + "/xarray_decode.py", first, "zos"]))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.split(separator: "\n").last!.utf8)) as? [String: Any])
            #expect(json["forecast_reference_time"] as? String == "2024-03-01T00:00:00")
            let times = try #require(json["time"] as? [String])
            #expect(times == (2...16).map { String(format: "2024-03-%02dT00:00:00", $0) })
            let zos = try #require((json["variables"] as? [String: Any])?["zos"] as? [Any])
            #expect(zos.count == 15 * 40 * 60 && zos.contains { $0 is NSNull })
        }
    }

    @Test("Per-day files and int16 packing")
    func perDayPacked() throws {
        let inputs = try ForecastFixtures.inputs()
        var r = try Self.request(inputs, inputs + "/fc.nc", days: 3)
        r.perDayFiles = true
        r.encoding = .int16
        let summary = try ForecastJob.run(r, pool: ThreadPool(threads: 2))
        #expect(summary.outputs == (1...3).map { inputs + String(format: "/fc_day%02d.nc", $0) })
        for path in summary.outputs {
            let d = try CFDataset(path: path)
            #expect(try d.timeAxis(of: try d.variable("zos"))?.values.count == 1)
            #expect(try d.variable("thetao").type == .short)
        }
    }

    /// Files in `folder` other than the inputs.
    static func leftovers(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { !["init.nc", "forcing.nc"].contains($0) }
    }

    @Test("Bad inputs: a clear error before any compute, and no output file left behind")
    func badInputs() throws {
        // Missing forcing days.
        let inputs = try ForecastFixtures.inputs(["--days", "10"])
        #expect(throws: ForecastError.forcingDaysMissing(path: inputs + "/forcing.nc", missing: (12...16).map { String(format: "2024-03-%02dT00:00:00", $0) })) {
            _ = try ForecastJob.run(try Self.request(inputs, inputs + "/out.nc"))
        }
        #expect(try Self.leftovers(inputs).isEmpty)
        // ...unless the forcing may persist.
        var persist = try Self.request(inputs, inputs + "/out.nc")
        persist.forcingMode = .persist
        #expect(try ForecastJob.run(persist).outputs == [inputs + "/out.nc"])

        // NaN inside the ocean.
        let holes = try ForecastFixtures.inputs(["--nan-in-ocean"])
        #expect(throws: ForecastError.inputData(path: holes + "/init.nc", variable: "so",
                                                detail: "is NaN inside the ocean at level 0.494 m, cell (38, 58), where thetao is defined")) {
            _ = try ForecastJob.run(try Self.request(holes, holes + "/out.nc"))
        }
        #expect(try Self.leftovers(holes).isEmpty)

        // A grid that is not the model's.
        let shifted = try ForecastFixtures.inputs(["--shift-latitudes", "0.25"])
        do {
            _ = try ForecastJob.run(try Self.request(shifted, shifted + "/out.nc"))
            Issue.record("a shifted grid was accepted")
        } catch let ForecastError.inputData(path, _, detail) {
            #expect(path == shifted + "/init.nc" && detail.contains("is not on the model's grid"), "\(detail)")
        }
        #expect(try Self.leftovers(shifted).isEmpty)

        // An output folder that does not exist.
        var nowhere = persist
        nowhere.output = "/nonexistent/folder/out.nc"
        #expect(throws: NetCDFError.cannotWrite(path: nowhere.output, detail: "folder /nonexistent/folder does not exist or is not writable")) {
            _ = try ForecastJob.run(nowhere)
        }
    }

    @Test("thetao in Kelvin is converted, with a note")
    func kelvin() throws {
        let inputs = try ForecastFixtures.inputs(["--kelvin"])
        let model = try ForecastModel(folder: try ForecastFixtures.model.get())
        let state = try InitialState.read(path: inputs + "/init.nc", model: model)
        #expect(state.notes.contains { $0.contains("thetao is in K; converted to degC") })
        let t = state.state.slice(0, model.channel(.thetao)..<(model.channel(.thetao) + 1)).contiguous().toArray().filter { !$0.isNaN }
        #expect(t.allSatisfy { (10...30).contains($0) }, "converted range \(t.min()!) ... \(t.max()!)")
    }
}
