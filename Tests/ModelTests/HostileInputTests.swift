import Foundation
import TestSupport
import Testing

/// Damaged, hostile and foreign inputs through the binary on weights-sample: each gives a clean error with its
/// sysexits status that names the file and the problem, never a trap, a hang, a forecast of NaN or a
/// clobbered file.
@Suite("Hostile inputs: clean errors, no traps, no silent NaN, no clobbered file",
       .enabled(if: Scratch.forecastd != nil && Scratch.python(has: ["netCDF4", "numpy"]), "needs the forecastd binary and python3 with netCDF4"))
struct HostileInputTests {
    static let sample = Scratch.repository + "/weights-sample"

    /// A scratch copy of weights-sample's model, init and forcing.
    static func copy() throws -> String {
        let folder = try Scratch.folder("hostile")
        for name in ["config.json", "model.safetensors", "normalization.safetensors", "mask.safetensors"] {
            try FileManager.default.copyItem(atPath: sample + "/" + name, toPath: folder + "/" + name)
        }
        for name in ["init.nc", "forcing.nc"] {
            try FileManager.default.copyItem(atPath: sample + "/data/" + name, toPath: folder + "/" + name)
        }
        return folder
    }

    /// Runs a Python snippet with `path` as sys.argv[1] (netCDF4 and numpy imported as nc and np).
    static func edit(_ path: String, _ code: String) throws {
        let script = "import sys, netCDF4 as nc, numpy as np\nd = nc.Dataset(sys.argv[1], 'a')\n" + code + "\nd.close()\n"
        let result = try #require(Scratch.run("python3", ["-c", script, path]))
        try #require(result.status == 0, "edit failed: \(result.output)")
    }

    static func run(_ folder: String, days: Int = 3, init initial: String? = nil, out: String? = nil,
                    extra: [String] = []) throws -> (status: Int32, output: String) {
        let r = try #require(Scratch.run(Scratch.forecastd!, ["run", "--model", folder, "--init", initial ?? folder + "/init.nc",
                                                               "--forcing", folder + "/forcing.nc", "--days", "\(days)",
                                                               "--out", out ?? folder + "/out.nc", "--threads", "1"] + extra))
        #expect(!r.signaled, "forecastd crashed: \(r.output.suffix(500))")
        return (r.status, r.output)
    }

    /// The first ocean cell (row, column) of the sample's surface.
    static let oceanCell = "t = d['thetao'][0, 0]\nj, i = [int(x[0]) for x in np.nonzero(~np.ma.getmaskarray(t) & np.isfinite(np.ma.filled(t, np.nan)))]"

    @Test("Non-finite or absurd times and longitudes, an empty time dimension: exit 65 naming the variable, at once")
    func coordinates() throws {
        for (label, code) in [("NaN time", "d['time'][0] = np.nan"), ("1e300 time", "d['time'][0] = 1e300"),
                              ("Inf longitude", "d['longitude'][5] = np.inf"), ("1e12 longitude", "d['longitude'][5] = 1e12")] {
            let folder = try Self.copy()
            try Self.edit(folder + "/init.nc", code)
            let r = try Self.run(folder)
            #expect(r.status == 65, "\(label): \(r.output)")
            #expect(r.output.contains("init.nc") && (r.output.contains("'time'") || r.output.contains("'longitude'")), "\(label): \(r.output)")
        }
        let folder = try Self.copy()
        let empty = """
            s = nc.Dataset(sys.argv[1].replace('empty.nc', 'init.nc'))
            for name, dim in s.dimensions.items(): d.createDimension(name, None if dim.isunlimited() else len(dim))
            for name, v in s.variables.items():
                w = d.createVariable(name, v.dtype, v.dimensions, fill_value=getattr(v, '_FillValue', None))
                w.setncatts({k: v.getncattr(k) for k in v.ncattrs() if k != '_FillValue'})
                if 'time' not in v.dimensions: w[...] = v[...]
            """
        FileManager.default.createFile(atPath: folder + "/empty.nc", contents: nil)
        let result = try #require(Scratch.run("python3", ["-c", "import sys, netCDF4 as nc\nd = nc.Dataset(sys.argv[1], 'w')\n" + empty + "\nd.close()",
                                                          folder + "/empty.nc"]))
        try #require(result.status == 0, "\(result.output)")
        let r = try Self.run(folder, init: folder + "/empty.nc")
        #expect(r.status == 65 && r.output.contains("empty.nc"), "\(r.output)")
    }

    @Test("One +Inf ssr cell over the ocean, or a u10 of 3e38: exit 65 naming file, variable and day; no output")
    func forcingValues() throws {
        for (label, code, variable) in [("Inf ssr", Self.oceanCell + "\nd['ssr'][1, j, i] = np.inf", "ssr"),
                                         ("3e38 u10", "d['u10'][0] = 3e38", "u10")] {
            let folder = try Self.copy()
            let ocean = Self.oceanCell.replacingOccurrences(of: "d['thetao']", with: "nc.Dataset(sys.argv[1].replace('forcing.nc', 'init.nc'))['thetao']")
            try Self.edit(folder + "/forcing.nc", code.replacingOccurrences(of: Self.oceanCell, with: ocean))
            let r = try Self.run(folder)
            #expect(r.status == 65 && r.output.contains("forcing.nc") && r.output.contains(variable) && r.output.contains("physical range"),
                    "\(label): \(r.output)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/out.nc"))
        }
    }

    @Test("Inf inside the ocean state: exit 65 naming the variable and cell")
    func stateValues() throws {
        let folder = try Self.copy()
        try Self.edit(folder + "/init.nc", Self.oceanCell + "\nd['so'][0, 0, j, i] = np.inf")
        let r = try Self.run(folder)
        #expect(r.status == 65 && r.output.contains("init.nc") && r.output.contains("'so'"), "\(r.output)")
    }

    @Test("A weight of 3e38: the forecast stops with exit 70 naming the day and the first bad cell, never a successful forecast of NaN")
    func nonFiniteForecast() throws {
        let folder = try Self.copy()
        var weights = try SafeTensorsEditing(path: folder + "/model.safetensors")
        var entry = weights["flux_embed.weight"]
        try #require(entry.dtype == "F32")
        entry.bytes = Data((0..<(entry.bytes.count / 4)).flatMap { _ in withUnsafeBytes(of: Float(3e38)) { Array($0) } })
        weights["flux_embed.weight"] = entry
        try weights.write(to: folder + "/model.safetensors")
        let r = try Self.run(folder)
        #expect(r.status == 70 && r.output.contains("day 1") && r.output.contains("not finite"), "\(r.output)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/out.nc"))
        // Every ocean cell's change is non-finite: the one named is the first ocean cell of the first channel.
        let script = "import sys, netCDF4 as nc, numpy as np\nd = nc.Dataset(sys.argv[1])\n" + Self.oceanCell + "\nprint(j, i)"
        let cell = try #require(Scratch.run("python3", ["-c", script, folder + "/init.nc"]))
        let ji = cell.output.split(whereSeparator: \.isWhitespace)
        try #require(ji.count == 2, "\(cell.output)")
        #expect(r.output.contains("state channel 0, cell (\(ji[0]), \(ji[1]))"), "\(r.output)")
    }

    @Test("Absurd config values and inverted clip bounds: refused before any memory is taken, naming the field")
    func configuration() throws {
        for (key, value) in [("embed_dim", "1000000000"), ("window_size", "1099511627776"), ("patch_size", "2147483648"),
                             ("mlp_ratio", "1e30"), ("depths", "[1000000]")] {
            let folder = try Self.copy()
            let path = folder + "/config.json"
            var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            config[key] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
            let r = try Self.run(folder)
            #expect(r.status == 78 && r.output.contains(key), "\(key) = \(value): \(r.output)")
        }
        let folder = try Self.copy()
        var normalization = try SafeTensorsEditing(path: folder + "/normalization.safetensors")
        let upper = normalization["state_upper"]
        normalization["state_upper"] = SafeTensorsEditing.Entry(name: "state_upper", dtype: upper.dtype, shape: upper.shape,
                                                                  bytes: normalization["state_lower"].bytes)
        try normalization.write(to: folder + "/normalization.safetensors")
        let r = try Self.run(folder)
        #expect(r.status == 65 && r.output.contains("state_lower"), "\(r.output)")
    }

    @Test("Outputs never replace an input or a device: --out naming the init (any spelling), /dev/null, compare --report REF")
    func noClobbering() throws {
        let folder = try Self.copy()
        let before = try Data(contentsOf: URL(fileURLWithPath: folder + "/init.nc"))
        let parent = (folder as NSString).deletingLastPathComponent, name = (folder as NSString).lastPathComponent
        for out in [folder + "/init.nc", folder + "/../" + name + "/./init.nc", parent + "/" + name + "//forcing.nc"] {
            let r = try Self.run(folder, out: out)
            #expect(r.status == 64 && r.output.contains("would replace its own input"), "\(out): \(r.output)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/init.nc")) == before)
        let device = try Self.run(folder, days: 1, out: "/dev/null")
        #expect(device.status == 74 && device.output.contains("not a regular file"), "\(device.output)")
        var status = stat()
        #expect(stat("/dev/null", &status) == 0 && status.st_mode & S_IFMT == S_IFCHR)
        let reference = Self.sample + "/data/reference.nc"
        try FileManager.default.copyItem(atPath: reference, toPath: folder + "/ref.nc")
        let compare = try #require(Scratch.run(Scratch.forecastd!, ["compare", folder + "/ref.nc", folder + "/ref.nc", "--report", folder + "/ref.nc"]))
        #expect(compare.status == 74 && compare.output.contains("does not write over its inputs"), "\(compare.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/ref.nc")) == Data(contentsOf: URL(fileURLWithPath: reference)))
    }

    @Test("SIGINT, SIGTERM and SIGHUP stop a running forecast: exit 75, no output and no partial file", arguments: [SIGINT, SIGTERM, SIGHUP])
    func signals(signal: Int32) throws {
        let folder = try Self.copy()
        let run = try Spawned(Scratch.forecastd!, ["run", "--model", folder, "--init", folder + "/init.nc", "--forcing", folder + "/forcing.nc",
                                                   "--days", "366", "--forcing-mode", "persist", "--out", folder + "/out.nc", "--threads", "1"])
        // Wait for the first forecast day, so that the signal arrives mid-forecast.
        run.wait(for: "day=1 ")
        kill(run.process.processIdentifier, signal)
        run.finish()
        #expect(run.process.terminationReason == .exit && run.process.terminationStatus == 75,
                "status \(run.process.terminationStatus): \(run.seen.suffix(300))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains("out") }.isEmpty)
    }

    @Test("Files other tools edited are input: the shipped init inspects clean; an ncks subset of a forecast inspects with its checksum reported as differing",
          .enabled(if: Scratch.has("ncks"), "needs NCO"))
    func foreignFiles() throws {
        let clean = try #require(Scratch.run(Scratch.forecastd!, ["inspect", Self.sample + "/data/init.nc"]))
        #expect(clean.status == 0, "\(clean.output)")
        let folder = try Scratch.folder("foreign")
        let subset = try #require(Scratch.run("ncks", ["-O", "-d", "latitude,0,99", Self.sample + "/data/reference.nc", folder + "/subset.nc"]))
        try #require(subset.status == 0, "\(subset.output)")
        let r = try #require(Scratch.run(Scratch.forecastd!, ["inspect", folder + "/subset.nc"]))
        #expect(r.status == 0 && r.output.contains("content checksum differs"), "\(r.output)")
    }
}
