import Foundation
import TestSupport
import Testing

/// Files other tools wrote or edited, through the binary on weights-sample copies: axis order, several times,
/// time units without a reference date, units, NCO subsets and xarray copies are input, read or refused with a
/// reason, never "corrupted".
@Suite("Foreign inputs: other tools' axis orders, times, units and edits",
       .enabled(if: Scratch.forecastd != nil && Scratch.python(has: ["netCDF4", "numpy", "xarray"]), "needs the forecastd binary and python3 with netCDF4 and xarray"))
struct ForeignInputTests {
    /// Runs a Python snippet with xarray as xr, numpy as np and netCDF4 as nc, the arguments as sys.argv[1...].
    static func python(_ code: String, _ arguments: [String]) throws {
        let script = "import sys, xarray as xr, numpy as np, netCDF4 as nc\n" + code
        let result = try #require(Scratch.run("python3", ["-c", script] + arguments))
        try #require(result.status == 0, "python failed: \(result.output)")
    }

    /// True when the forecast variables of two files hold the same bits (NaN where NaN).
    static func identical(_ a: String, _ b: String) throws -> Bool {
        let r = try #require(Scratch.run("python3", ["-c", """
            import sys, xarray as xr, numpy as np
            a, b = xr.open_dataset(sys.argv[1]), xr.open_dataset(sys.argv[2])
            sys.exit(0 if all(np.array_equal(a[v].values, b[v].values, equal_nan=True) for v in ['thetao', 'so', 'uo', 'vo', 'zos']) else 1)
            """, a, b]))
        return r.status == 0
    }

    @Test("Latitudes north to south in the init and the forcing: the same forecast, bit for bit, said in the log")
    func northToSouth() throws {
        let folder = try HostileInputTests.copy()
        try Self.python("""
            for name in ['init', 'forcing']:
                d = xr.open_dataset(sys.argv[1] + '/' + name + '.nc')
                d.isel(latitude=slice(None, None, -1)).to_netcdf(sys.argv[1] + '/' + name + '-ns.nc')
            """, [folder])
        let plain = try HostileInputTests.run(folder, out: folder + "/plain.nc")
        try #require(plain.status == 0, "\(plain.output)")
        let r = try #require(Scratch.run(Scratch.forecastd!, ["run", "--model", folder, "--init", folder + "/init-ns.nc",
                                                               "--forcing", folder + "/forcing-ns.nc", "--days", "3",
                                                               "--out", folder + "/ns.nc", "--threads", "1"]))
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("init-ns.nc: latitudes run north to south") && r.output.contains("forcing-ns.nc: latitudes run north to south"), "\(r.output)")
        #expect(try Self.identical(folder + "/plain.nc", folder + "/ns.nc"))
    }

    @Test("An init holding several times: refused naming them without --start; with it, that time is the start")
    func severalTimes() throws {
        let folder = try HostileInputTests.copy()
        try Self.python("""
            d = xr.open_dataset(sys.argv[1] + '/init.nc')
            later = d.assign(thetao=d.thetao + 0.5); later['time'] = d.time + np.timedelta64(1, 'D')
            xr.concat([d, later], 'time', data_vars='all').to_netcdf(sys.argv[1] + '/month.nc')
            """, [folder])
        let refused = try HostileInputTests.run(folder, init: folder + "/month.nc")
        #expect(refused.status == 65 && refused.output.contains("holds 2 times") && refused.output.contains("2004-06-02")
                && refused.output.contains("--start"), "\(refused.output)")
        let chosen = try HostileInputTests.run(folder, days: 2, init: folder + "/month.nc", extra: ["--start", "2004-06-02"])
        #expect(chosen.status == 0 && chosen.output.contains("starting from time step 2 of 2"), "\(chosen.output)")
        let first = try #require(Scratch.run("python3", ["-c", "import sys, xarray as xr; print(str(xr.open_dataset(sys.argv[1]).time.values[0])[:10])",
                                                         folder + "/out.nc"]))
        #expect(first.output.hasPrefix("2004-06-03"), "the forecast's first day follows the start: \(first.output)")
        let missing = try HostileInputTests.run(folder, init: folder + "/month.nc", extra: ["--start", "2004-07-01"])
        #expect(missing.status == 65 && missing.output.contains("no time within 12 hours"), "\(missing.output)")
    }

    @Test("Time units with no reference date (Veros's 'days'): inspect describes them, run asks for the date and takes --start")
    func undatedTime() throws {
        let folder = try HostileInputTests.copy()
        try HostileInputTests.edit(folder + "/init.nc", "d['time'].units = 'days'")
        let asks = try HostileInputTests.run(folder)
        #expect(asks.status == 65 && asks.output.contains("no reference date") && asks.output.contains("--start"), "\(asks.output)")
        let given = try HostileInputTests.run(folder, extra: ["--start", "2004-06-01"])
        #expect(given.status == 0, "\(given.output)")
        let dated = try HostileInputTests.copy()
        let plain = try HostileInputTests.run(dated)
        try #require(plain.status == 0, "\(plain.output)")
        #expect(try Self.identical(folder + "/out.nc", dated + "/out.nc"), "the date given is the date the file's units had")
        // A Veros snapshot: "days" time, string attributes, depth positive up, -1e18 fill.
        try Self.python("""
            n = nc.Dataset(sys.argv[1], 'w')
            for name, size in [('Time', None), ('zt', 3), ('yt', 4), ('xt', 5)]: n.createDimension(name, size)
            t = n.createVariable('Time', 'f8', ('Time',)); t.units = 'days'; t.setncattr_string('long_name', 'Time'); t[:] = [3650.0]
            z = n.createVariable('zt', 'f8', ('zt',)); z.units = 'm'; z.positive = 'up'; z[:] = [-1000, -50, -5]
            y = n.createVariable('yt', 'f8', ('yt',)); y.units = 'degrees_north'; y[:] = [-30, -10, 10, 30]
            x = n.createVariable('xt', 'f8', ('xt',)); x.units = 'degrees_east'; x[:] = [0, 72, 144, 216, 288]
            v = n.createVariable('temp', 'f4', ('Time', 'zt', 'yt', 'xt'), fill_value=-1e18)
            v.setncattr_string('units', 'deg C'); v.setncattr_string('long_name', 'Temperature')
            a = np.full((1, 3, 4, 5), 10, 'f4'); a[0, 0, 0, 0] = -1e18; v[:] = a
            n.close()
            """, [folder + "/veros.nc"])
        let inspect = try #require(Scratch.run(Scratch.forecastd!, ["inspect", folder + "/veros.nc"]))
        #expect(inspect.status == 0 && inspect.output.contains("undecodable: units 'days' have no reference date")
                && inspect.output.contains("NaN 1 of 60") && inspect.output.contains("stored positive up"), "\(inspect.output)")
    }

    @Test("Units: one forecastd cannot convert for a variable it needs is refused naming it; unknown units elsewhere are ignored")
    func units() throws {
        for (variable, units) in [("thetao", "degF"), ("uo", "furlongs per fortnight"), ("zos", "parsecs")] {
            let folder = try HostileInputTests.copy()
            try HostileInputTests.edit(folder + "/init.nc", "d['\(variable)'].units = '\(units)'")
            let r = try HostileInputTests.run(folder)
            #expect(r.status == 65 && r.output.contains("'\(variable)'") && r.output.contains(units), "\(variable) in \(units): \(r.output)")
        }
        let folder = try HostileInputTests.copy()
        try HostileInputTests.edit(folder + "/forcing.nc", "d['msl'].units = 'furlongs'")
        let forcing = try HostileInputTests.run(folder)
        #expect(forcing.status == 65 && forcing.output.contains("forcing.nc") && forcing.output.contains("furlongs"), "\(forcing.output)")
        let unused = try HostileInputTests.copy()
        try HostileInputTests.edit(unused + "/init.nc", "v = d.createVariable('distance', 'f4', ('latitude',)); v.units = 'parsecs'; v[:] = 1")
        let ignored = try HostileInputTests.run(unused)
        #expect(ignored.status == 0, "\(ignored.output)")
    }

    @Test("Radiation in J m-2 (ERA5's accumulations): refused without a period; over a stated or cell_methods period, the W m-2 forecast")
    func accumulatedRadiation() throws {
        let folder = try HostileInputTests.copy()
        let plain = try HostileInputTests.run(folder, out: folder + "/plain.nc")
        try #require(plain.status == 0, "\(plain.output)")
        // Hourly accumulations, as ERA5's daily statistics of hourly data hold them: W m-2 x 3600 s.
        try Self.python("""
            d = xr.open_dataset(sys.argv[1] + '/forcing.nc')
            for v in ['ssr', 'strd']:
                d[v] = d[v] * 3600
                d[v].attrs['units'] = 'J m**-2'
            d.to_netcdf(sys.argv[1] + '/hourly.nc')
            d['ssr'].attrs['cell_methods'] = 'time: mean (interval: 1 day) time: sum (interval: 1 hour)'
            d['strd'].attrs['cell_methods'] = 'time: sum (interval: 1 hour)'
            d.to_netcdf(sys.argv[1] + '/stated.nc')
            """, [folder])
        func run(_ forcing: String, _ extra: [String]) throws -> (status: Int32, output: String) {
            let r = try #require(Scratch.run(Scratch.forecastd!, ["run", "--model", folder, "--init", folder + "/init.nc",
                                                                   "--forcing", folder + "/" + forcing, "--days", "3", "--threads", "1",
                                                                   "--out", folder + "/\(forcing)-\(extra.count).nc"] + extra))
            return (r.status, r.output)
        }
        let unstated = try run("hourly.nc", [])
        #expect(unstated.status == 65 && unstated.output.contains("ssr") && unstated.output.contains("--accumulation-period"), "\(unstated.output)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/hourly.nc-0.nc"))
        let stated = try run("hourly.nc", ["--accumulation-period", "1h"])
        #expect(stated.status == 0 && stated.output.contains("accumulated over 1 h"), "\(stated.output)")
        let described = try run("stated.nc", [])
        #expect(described.status == 0 && described.output.contains("cell_methods"), "\(described.output)")
        let conflicting = try run("stated.nc", ["--accumulation-period", "24h"])
        #expect(conflicting.status == 65 && conflicting.output.contains("24 h"), "\(conflicting.output)")
        let nonsense = try run("hourly.nc", ["--accumulation-period", "soon"])
        #expect(nonsense.status == 64 && nonsense.output.contains("--accumulation-period"), "\(nonsense.output)")
        // x 3600 then / 3600 in float32 moves a field by an ulp at most: the forecast is the W m-2 one within 1e-5.
        for output in ["hourly.nc-2.nc", "stated.nc-0.nc"] {
            let compare = try #require(Scratch.run(Scratch.forecastd!, ["compare", folder + "/plain.nc", folder + "/" + output,
                                                                         "--rtol", "1e-5", "--atol", "1e-6"]))
            #expect(compare.status == 0, "\(output): \(compare.output.suffix(800))")
        }
    }

    @Test("An NCO latitude subset and an xarray copy with one value changed: compared as files, differences reported (exit 1)",
          .enabled(if: Scratch.has("ncks"), "needs NCO"))
    func editedCopies() throws {
        let folder = try Scratch.folder("edited")
        let reference = HostileInputTests.sample + "/data/reference.nc"
        for (name, range) in [("a.nc", "latitude,0,99"), ("b.nc", "latitude,0,99")] {
            let r = try #require(Scratch.run("ncks", ["-O", "-d", range, reference, folder + "/" + name]))
            try #require(r.status == 0, "\(r.output)")
        }
        let same = try #require(Scratch.run(Scratch.forecastd!, ["compare", folder + "/a.nc", folder + "/b.nc"]))
        #expect(same.status == 0, "\(same.output)")
        let run = try #require(Scratch.run(Scratch.forecastd!, ["run", "--model", HostileInputTests.sample, "--init", folder + "/a.nc",
                                                                 "--forcing", HostileInputTests.sample + "/data/forcing.nc",
                                                                 "--start", "2004-06-02", "--out", folder + "/out.nc"]))
        #expect(run.status == 65 && run.output.contains("not on the model's grid") && !run.output.contains("corrupt"), "\(run.output)")
        try Self.python("""
            d = xr.open_dataset(sys.argv[1]); d['thetao'][0, 0, 10, 10] = d['thetao'][0, 0, 10, 10] + 3; d.to_netcdf(sys.argv[2])
            """, [reference, folder + "/edited.nc"])
        let compare = try #require(Scratch.run(Scratch.forecastd!, ["compare", reference, folder + "/edited.nc"]))
        #expect(compare.status == 1 && compare.output.contains("outside tolerance: thetao"), "\(compare.output)")
    }
}
