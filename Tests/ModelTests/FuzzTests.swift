import Foundation
import NetCDF
import Tensor
import TestSupport
import Testing

/// Seeded mutants of every file `forecastd run` reads, each run through the binary under a time bound: byte-level
/// damage of the init and forcing (truncations and bit flips), of the weights and normalisation (safetensors)
/// and of config.json, and meaning-level variants (non-finite or absurd coordinates, times, values, empty
/// dimensions, absurd config values). Every run must end without a signal or a hang, with a clean error (a
/// sysexits status, the output absent and no partial file) or a forecast whose every ocean value is finite.
@Suite("Fuzz: seeded mutants of every input through forecastd run", .serialized,
       .enabled(if: Scratch.forecastd != nil && Scratch.has("timeout") && Scratch.python(has: ["netCDF4", "numpy"]),
                "needs the forecastd binary, coreutils timeout and python3 with netCDF4"))
struct FuzzTests {
    static let sample = Scratch.repository + "/weights-sample"
    /// Seconds one run may take before it counts as a hang (a clean run takes well under one).
    static let bound = 60
    /// Statuses a damaged input may end with: 65 data, 66 unreadable, 70 a forecast gone non-finite, 78 config.
    static let cleanErrors: Set<Int32> = [65, 66, 70, 78]

    /// A mutant: the files that replace weights-sample's in a model folder or its data.
    struct Mutant: Sendable {
        let label: String
        /// File name (config.json, model.safetensors, normalization.safetensors, init.nc, forcing.nc) -> bytes.
        let files: [String: Data]
    }

    /// A truncation (one seed in four) or one to four bit flips; `head` flips land in the first bytes half the time
    /// (headers and metadata, where damage is most varied).
    static func damaged(_ bytes: Data, seed: UInt64, head: Int = 4096) -> Data {
        var random = SplitMix64(state: seed)
        if seed % 4 == 0 { return bytes.prefix(random.below(bytes.count)) }
        var copy = bytes
        for _ in 0..<(1 + random.below(4)) {
            let at = random.next() % 2 == 0 ? random.below(min(head, bytes.count)) : random.below(bytes.count)
            copy[copy.startIndex + at] ^= UInt8(1 << random.below(8))
        }
        return copy
    }

    /// config.json with one key set to an absurd value, or its text damaged.
    static func configMutant(_ text: Data, seed: UInt64) throws -> Data {
        var random = SplitMix64(state: seed)
        guard seed % 3 != 0 else { return damaged(text, seed: seed, head: text.count) }
        var config = try #require(try JSONSerialization.jsonObject(with: text) as? [String: Any])
        let keys = ["grid", "state_channels", "flux_channels", "patch_size", "embed_dim", "depths", "num_heads", "window_size",
                    "mlp_ratio", "group_norm_groups", "norm_eps", "forecast"]
        let values: [Any] = [0, -1, 1, 3, 1_000_000_000, 1 << 40, 1e30, -1e30, "x", NSNull(), [] as [Any], [1_000_000], [0, 0],
                             ["height": 1 << 31, "width": 3], ["levels": [5.0, 1.0], "normalization": "zscore"],
                             ["levels": [], "normalization": "minmax"], true, 2.5]
        config[keys[random.below(keys.count)]] = values[random.below(values.count)]
        return try JSONSerialization.data(withJSONObject: config)
    }

    /// Meaning-level variants of the init and forcing, made by one Python process: each entry edits one copy.
    static let meaningEdits: [(file: String, code: String)] = {
        var edits: [(String, String)] = []
        for value in ["np.nan", "np.inf", "-np.inf", "1e300", "-1e300", "0"] {
            edits.append(("init.nc", "d['time'][0] = \(value)"))
            edits.append(("forcing.nc", "d['time'][3] = \(value)"))
            edits.append(("init.nc", "d['latitude'][7] = \(value)"))
            edits.append(("forcing.nc", "d['longitude'][0] = \(value)"))
            edits.append(("init.nc", "d['depth'][2] = \(value)"))
            edits.append(("init.nc", "d['thetao'][0, 0, 60:62, 60:62] = \(value)"))
            edits.append(("forcing.nc", "d['ssr'][2, 60:62, 60:62] = \(value)"))
            edits.append(("forcing.nc", "d['msl'][0] = \(value)"))
        }
        for attribute in ["units", "calendar"] {
            for text in ["", "days", "days since 99999-01-01", "fortnights since 2000-01-01", "hours since 1000-01-01"] {
                edits.append(("init.nc", "d['time'].\(attribute) = '\(text)'"))
                edits.append(("forcing.nc", "d['time'].\(attribute) = '\(text)'"))
            }
        }
        for (variable, attribute, value) in [("thetao", "scale_factor", "np.float32(np.inf)"), ("thetao", "add_offset", "np.float32(1e38)"),
                                             ("so", "_FillValue_x", "1"), ("uo", "valid_max", "np.float32(-1)"),
                                             ("zos", "units", "'parsecs'"), ("u10", "units", "'knots per fortnight'")] {
            edits.append((variable == "u10" ? "forcing.nc" : "init.nc", "d['\(variable)'].setncattr('\(attribute)', \(value))"))
        }
        return edits
    }()

    /// Writes each meaning-level variant into `folder` as `meaning-N-FILE` and returns the mutants.
    static func meaningMutants(in folder: String) throws -> [Mutant] {
        var script = "import sys, shutil, netCDF4 as nc, numpy as np\n"
        for (index, edit) in meaningEdits.enumerated() {
            let path = "\(folder)/meaning-\(index)-\(edit.file)"
            script += "shutil.copy('\(sample)/data/\(edit.file)', '\(path)')\n"
            script += "d = nc.Dataset('\(path)', 'a'); d.set_auto_mask(False)\ntry:\n    \(edit.code)\nexcept Exception as e:\n    print('skipped', e)\nd.close()\n"
        }
        let result = try #require(Scratch.run("python3", ["-c", script]))
        try #require(result.status == 0, "\(result.output)")
        return try meaningEdits.enumerated().map { index, edit in
            let path = "\(folder)/meaning-\(index)-\(edit.file)"
            defer { try? FileManager.default.removeItem(atPath: path) }
            return Mutant(label: "meaning \(index): \(edit.file): \(edit.code)", files: [edit.file: try Data(contentsOf: URL(fileURLWithPath: path))])
        }
    }

    /// The NaN count of each variable of a forecast file, and whether any value is infinite.
    static func census(_ path: String) throws -> (nans: [String: Int], infinite: Bool) {
        let dataset = try CFDataset(path: path)
        var nans: [String: Int] = [:], infinite = false
        for name in ["thetao", "so", "uo", "vo", "zos"] {
            let v = try dataset.variable(name)
            let values = try dataset.read(v, start: v.shape.map { _ in 0 }, count: v.shape)
            nans[name] = values.filter(\.isNaN).count
            infinite = infinite || values.contains(where: \.isInfinite)
        }
        return (nans, infinite)
    }

    /// Runs every mutant (two at a time) in its own folder and checks its outcome against the clean forecast's
    /// land (`clean`: NaN counts per variable).
    /// Returns how many runs ended with each status.
    @discardableResult
    static func check(_ mutants: [Mutant], clean: [String: Int], in folder: String) throws -> [Int32: Int] {
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: mutants.count) { index in
            let mutant = mutants[index]
            do {
                let (status, problem) = try outcome(of: mutant, index: index, clean: clean, in: folder)
                tally.add(status, problem.map { "\(mutant.label): \($0)" })
            } catch {
                tally.add(-1, "\(mutant.label): \(error)")
            }
        }
        print("fuzz: \(mutants.count) runs, exit statuses \(tally.statuses.sorted { $0.key < $1.key })")
        #expect(tally.failures.isEmpty, "\(tally.failures.count) of \(mutants.count) mutants: \(tally.failures.prefix(10).joined(separator: "\n"))")
        return tally.statuses
    }

    /// The run's exit status, and nil when it ended as it must, otherwise what went wrong.
    static func outcome(of mutant: Mutant, index: Int, clean: [String: Int], in folder: String) throws -> (Int32, String?) {
        let caseFolder = "\(folder)/case-\(index)"
        try FileManager.default.createDirectory(atPath: caseFolder + "/out", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: caseFolder) }
        for name in ["config.json", "model.safetensors", "normalization.safetensors", "init.nc", "forcing.nc"] {
            let path = caseFolder + "/" + name
            if let bytes = mutant.files[name] {
                try bytes.write(to: URL(fileURLWithPath: path))
            } else {
                let original = sample + (name.hasSuffix(".nc") ? "/data/" : "/") + name
                try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: original)
            }
        }
        let out = caseFolder + "/out/forecast.nc"
        // The probe's own limit well inside the bound: a mutant on which libhdf5 reads forever is the probe's to stop
        // (exit 65), not the bound's.
        guard let r = Scratch.run("env", ["FORECASTD_PROBE_SECONDS=15", "timeout", "--kill-after=5", "\(bound)", Scratch.forecastd!, "run", "--model", caseFolder,
                                              "--init", caseFolder + "/init.nc", "--forcing", caseFolder + "/forcing.nc",
                                              "--days", "2", "--forcing-mode", "persist", "--out", out, "--threads", "1"]) else {
            return (-1, "could not start")
        }
        if r.signaled || r.status >= 124 { return (r.status, "signal or hang (status \(r.status)): \(r.output.suffix(300))") }
        let left = try FileManager.default.contentsOfDirectory(atPath: caseFolder + "/out")
        if r.status == 0 {
            guard left == ["forecast.nc"] else { return (0, "exit 0 but the output folder holds \(left)") }
            let census = try census(out)
            return (0, census.infinite || census.nans != clean ? "exit 0 with non-finite ocean values: \(census)" : nil)
        }
        let problem: String? = if !cleanErrors.contains(r.status) {
            "exit \(r.status): \(r.output.suffix(300))"
        } else if !left.isEmpty {
            "exit \(r.status) left \(left)"
        } else if !r.output.contains("forecastd: ") && !r.output.contains("Error: ") {
            "exit \(r.status) without a message: \(r.output.suffix(300))"
        } else {
            nil
        }
        return (r.status, problem)
    }

    /// Statuses and failure messages gathered from concurrent runs.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var failures: [String] = []
        private(set) var statuses: [Int32: Int] = [:]
        func add(_ status: Int32, _ failure: String?) {
            lock.withLock {
                statuses[status, default: 0] += 1
                if let failure { failures.append(failure) }
            }
        }
    }

    /// The NaN counts of weights-sample's own two-day forecast.
    static func cleanLand(in folder: String) throws -> [String: Int] {
        let out = folder + "/clean.nc"
        let r = try #require(Scratch.run(Scratch.forecastd!, ["run", "--model", sample, "--init", sample + "/data/init.nc",
                                                               "--forcing", sample + "/data/forcing.nc", "--days", "2",
                                                               "--forcing-mode", "persist", "--out", out, "--threads", "1"]))
        try #require(r.status == 0, "\(r.output)")
        return try census(out).nans
    }

    @Test("1,000 byte-level mutants of the init and the forcing, and the meaning-level variants: a clean error or a finite forecast")
    func netCDFMutants() throws {
        let folder = try Scratch.folder("fuzz-netcdf")
        let clean = try Self.cleanLand(in: folder)
        var mutants = try Self.meaningMutants(in: folder)
        for name in ["init.nc", "forcing.nc"] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.sample + "/data/" + name))
            mutants += (0..<500).map { seed in
                Mutant(label: "\(name) seed \(seed)", files: [name: Self.damaged(bytes, seed: UInt64(seed) + (name == "init.nc" ? 0 : 10_000))])
            }
        }
        try #require(mutants.count >= 1_000 + Self.meaningEdits.count)
        let statuses = try Self.check(mutants, clean: clean, in: folder)
        #expect(statuses[0, default: 0] > 0 && statuses[65, default: 0] > 0, "the mutants exercise both outcomes: \(statuses)")
    }

    @Test("300 mutants of the model: damaged safetensors (weights and normalisation) and absurd or damaged config.json")
    func modelMutants() throws {
        let folder = try Scratch.folder("fuzz-model")
        let clean = try Self.cleanLand(in: folder)
        let weights = try Data(contentsOf: URL(fileURLWithPath: Self.sample + "/model.safetensors"))
        let normalization = try Data(contentsOf: URL(fileURLWithPath: Self.sample + "/normalization.safetensors"))
        let config = try Data(contentsOf: URL(fileURLWithPath: Self.sample + "/config.json"))
        var mutants: [Mutant] = []
        for seed in 0..<UInt64(100) {
            mutants.append(Mutant(label: "model.safetensors seed \(seed)", files: ["model.safetensors": Self.damaged(weights, seed: seed)]))
            mutants.append(Mutant(label: "normalization.safetensors seed \(seed)",
                                  files: ["normalization.safetensors": Self.damaged(normalization, seed: seed + 1000, head: 1024)]))
            mutants.append(Mutant(label: "config.json seed \(seed)", files: ["config.json": try Self.configMutant(config, seed: seed + 2000)]))
        }
        let statuses = try Self.check(mutants, clean: clean, in: folder)
        #expect(statuses[0, default: 0] > 0 && statuses[78, default: 0] > 0, "the mutants exercise both outcomes: \(statuses)")
    }
}
