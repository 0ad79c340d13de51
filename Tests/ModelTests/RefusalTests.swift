import Foundation
import TestSupport
import Testing

/// Smaller refusals through the binary on weights-sample copies: each a clean error naming what is wrong, at once.
@Suite("Refusals: unsorted levels, a damaged mask, files in other units, a name too long",
       .enabled(if: Scratch.forecastd != nil && Scratch.python(has: ["netCDF4", "numpy", "xarray"]), "needs the forecastd binary and python3 with xarray"))
struct RefusalTests {
    @Test("forecast.levels out of order: exit 78 naming the field; an empty or misshaped mask.safetensors: exit 65 naming the file")
    func modelFolder() throws {
        let folder = try HostileInputTests.copy()
        let path = folder + "/config.json"
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var forecast = try #require(config["forecast"] as? [String: Any])
        forecast["levels"] = [5.0, 50.0, 20.0, 110.0, 235.0, 520.0, 1220.0, 2860.0]
        config["forecast"] = forecast
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        let levels = try HostileInputTests.run(folder)
        #expect(levels.status == 78 && levels.output.contains("forecast.levels") && levels.output.contains("increasing"), "\(levels.output)")

        let empty = try HostileInputTests.copy()
        FileManager.default.createFile(atPath: empty + "/mask.safetensors", contents: Data())
        let r = try HostileInputTests.run(empty)
        #expect(r.status == 65 && r.output.contains("mask.safetensors"), "\(r.output)")
        let misshaped = try HostileInputTests.copy()
        var mask = try SafeTensorsEditing(path: misshaped + "/mask.safetensors")
        let ocean = mask["ocean"]
        mask["ocean"] = SafeTensorsEditing.Entry(name: "ocean", dtype: ocean.dtype, shape: [ocean.shape[0] * ocean.shape[1], ocean.shape[2]],
                                                  bytes: ocean.bytes)
        try mask.write(to: misshaped + "/mask.safetensors")
        let shape = try HostileInputTests.run(misshaped)
        #expect(shape.status == 78 && shape.output.contains("mask.safetensors") && shape.output.contains("ocean"), "\(shape.output)")
    }

    @Test("a configuration whose forward pass cannot fit in this machine's memory: exit 78 with the figures, before loading")
    func memory() throws {
        let folder = try HostileInputTests.copy()
        let path = folder + "/config.json"
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        config["grid"] = ["height": 20_000, "width": 40_000]
        config["embed_dim"] = 2_048
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        let r = try HostileInputTests.run(folder)
        #expect(r.status == 78 && r.output.contains("needs at least") && r.output.contains("of memory"), "\(r.output)")
    }

    @Test("compare refuses a file in K against one in degC (exit 65 naming both units) instead of reporting 273 degrees")
    func compareUnits() throws {
        let folder = try Scratch.folder("units")
        let reference = HostileInputTests.sample + "/data/reference.nc"
        let result = try #require(Scratch.run("python3", ["-c", """
            import sys, xarray as xr
            d = xr.open_dataset(sys.argv[1]); d['thetao'] = d.thetao + 273.15; d.thetao.attrs['units'] = 'K'; d.to_netcdf(sys.argv[2])
            """, reference, folder + "/kelvin.nc"]))
        try #require(result.status == 0, "\(result.output)")
        let r = try #require(Scratch.run(Scratch.forecastd!, ["compare", reference, folder + "/kelvin.nc"]))
        #expect(r.status == 65 && r.output.contains("'K'") && r.output.contains("'degrees_C'"), "\(r.output)")
    }

    @Test("an output name longer than the file system allows is refused before computing, naming the limit")
    func nameTooLong() throws {
        let folder = try HostileInputTests.copy()
        let r = try HostileInputTests.run(folder, out: folder + "/" + String(repeating: "x", count: 256) + ".nc")
        #expect(r.status == 74 && r.output.contains("file systems allow 255") && !r.output.contains("event=day"), "\(r.output)")
        let fits = try HostileInputTests.run(folder, days: 1, out: folder + "/" + String(repeating: "y", count: 250) + ".nc")
        #expect(fits.status == 0, "a 253-byte name fits, with its temporary name shortened: \(fits.output)")
    }
}
