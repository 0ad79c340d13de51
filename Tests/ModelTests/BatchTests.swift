import Foundation
import OceanGrid
import OceanStepper
import Surrogate
import TestSupport
import Testing

@Suite("Batch manifests and shards")
struct BatchManifestTests {
    static func manifest(_ text: String) throws -> String {
        let folder = try Scratch.folder("manifest")
        try text.write(toFile: folder + "/runs.txt", atomically: true, encoding: .utf8)
        return folder + "/runs.txt"
    }

    @Test("Pairs and start dates, comments skipped, paths relative to the manifest")
    func parse() throws {
        let path = try Self.manifest("# season\ninit=a/i1.nc forcing=/abs/f1.nc\n\n2024-03-01\ninit=i2.nc forcing=f2.nc name=second\n")
        let folder = (path as NSString).deletingLastPathComponent
        let m = try BatchManifest(path: path, initTemplate: "inits/{date}.nc", forcingTemplate: "forcing/{date}.nc")
        #expect(m.entries == [BatchEntry(name: "i1", initial: folder + "/a/i1.nc", forcing: "/abs/f1.nc"),
                              BatchEntry(name: "2024-03-01", initial: folder + "/inits/2024-03-01.nc", forcing: folder + "/forcing/2024-03-01.nc"),
                              BatchEntry(name: "second", initial: folder + "/i2.nc", forcing: folder + "/f2.nc")])
        #expect(throws: ForecastError.inputData(path: path, variable: nil, detail: "line 4: a start date needs --init-template and --forcing-template (with {date} in them)")) {
            _ = try BatchManifest(path: path)
        }
        let bad = try Self.manifest("init=x.nc forcing=y.nc\ninit=x.nc forcing=z.nc\n")
        #expect(throws: ForecastError.inputData(path: bad, variable: nil, detail: "two forecasts are named 'x' (outputs would collide)")) {
            _ = try BatchManifest(path: bad)
        }
        let typo = try Self.manifest("init=x.nc forcng=y.nc\n")
        #expect(throws: ForecastError.inputData(path: typo, variable: nil, detail: "line 1: 'forcng=y.nc' is not init=PATH, forcing=PATH, name=NAME or start=DATE")) {
            _ = try BatchManifest(path: typo)
        }
    }

    @Test("Shards from --shard or Slurm's array variables split the entries round robin")
    func shards() throws {
        let entries = (0..<7).map { BatchEntry(name: "\($0)", initial: "", forcing: "") }
        #expect(try BatchShard.resolve(option: "1/3", environment: [:]).select(entries).map(\.name) == ["1", "4"])
        let slurm = try BatchShard.resolve(option: nil, environment: ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "3",
                                                                     "SLURM_ARRAY_TASK_COUNT": "3"])
        #expect(slurm == (try BatchShard(index: 2, count: 3)) && slurm.select(entries).map(\.name) == ["2", "5"])
        #expect(try BatchShard.resolve(option: nil, environment: [:]).select(entries).count == 7)
        // Re-submitting index 2 of a 4-task array alone still runs index 2's share.
        let alone = ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "2", "SLURM_ARRAY_TASK_COUNT": "1"]
        #expect(try BatchShard.resolve(option: nil, shards: 4, environment: alone).select(entries).map(\.name) == ["2", "6"])
        #expect(throws: BatchShardError(text: "shard 3/3: the index must be in 0..<count")) { _ = try BatchShard.resolve(option: "3/3", environment: [:]) }
    }
}

@Suite("forecastd batch through the binary",
       .enabled(if: Scratch.forecastd != nil && ForecastFixtures.available, "needs the forecastd binary and the Python fixtures"))
struct BatchCommandTests {
    /// A manifest of `count` forecasts on one generated case, and the output folder.
    static func setUp(_ count: Int) throws -> (manifest: String, out: String) {
        let inputs = try ForecastFixtures.inputs()
        let lines = (0..<count).map { "init=init.nc forcing=forcing.nc name=start\($0)" }
        try lines.joined(separator: "\n").write(toFile: inputs + "/runs.txt", atomically: true, encoding: .utf8)
        return (inputs + "/runs.txt", inputs + "/out")
    }

    static func batch(_ manifest: String, _ out: String, _ extra: [String] = []) -> (status: Int32, output: String) {
        let r = Scratch.run(Scratch.forecastd!, ["batch", "--manifest", manifest, "--model", try! ForecastFixtures.model.get(),
                                                 "--out-dir", out, "--threads", "1"] + extra)!
        return (r.status, r.output)
    }

    static func statuses(_ out: String, _ shard: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: out + "/batch-task-\(shard).json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (json["outcomes"] as? [[String: Any]] ?? []).map { "\($0["name"]!):\($0["status"]!)" }
    }

    @Test("Two shards cover the manifest; a second submission skips verified outputs and redoes a damaged one")
    func idempotent() throws {
        let (manifest, out) = try Self.setUp(4)
        #expect(Self.batch(manifest, out, ["--shard", "0/2"]).status == 0)
        #expect(Self.batch(manifest, out, ["--shard", "1/2"]).status == 0)
        #expect(try Self.statuses(out, "0-of-2") == ["start0:done", "start2:done"])
        let names = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".nc") }.sorted()
        #expect(names == ["start0.nc", "start1.nc", "start2.nc", "start3.nc"])
        // A task killed outright leaves a temporary file; the next run removes it.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: out + "/.start1.nc.partial-99999"))
        // Damage one output: its content no longer matches its checksum.
        let damaged = out + "/start3.nc"
        let data = try Data(contentsOf: URL(fileURLWithPath: damaged))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: damaged))
        #expect(Self.batch(manifest, out, ["--shard", "1/2"]).status == 0)
        #expect(try Self.statuses(out, "1-of-2") == ["start1:skipped (complete)", "start3:done"])
        #expect(!FileManager.default.fileExists(atPath: out + "/.start1.nc.partial-99999"))
        #expect(CompleteForecast.isComplete(damaged, days: 15))
    }

    @Test("A failing forecast is reported and the others still run; its exit status is the task's")
    func failure() throws {
        let (manifest, out) = try Self.setUp(2)
        try "init=init.nc forcing=forcing.nc name=good\ninit=absent.nc forcing=forcing.nc name=bad\n"
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        let r = Self.batch(manifest, out)
        #expect(r.status == 66, "\(r.output)")
        #expect(try Self.statuses(out, "0-of-1") == ["good:done", "bad:failed"])
    }

    @Test("SIGTERM stops at a day boundary: exit 75, no half-written file, a re-run completes the rest")
    func terminated() throws {
        let (manifest, out) = try Self.setUp(12)
        let batch = try Spawned(Scratch.forecastd!, ["batch", "--manifest", manifest, "--model", try ForecastFixtures.model.get(),
                                                     "--out-dir", out, "--threads", "1"])
        // Wait for the first finished forecast, then ask the task to stop.
        batch.wait(for: "event=done")
        batch.process.terminate()
        batch.finish()
        #expect(batch.process.terminationStatus == 75, "\(batch.seen)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(!files.contains { $0.contains("partial") }, "\(files)")
        for file in files where file.hasSuffix(".nc") {
            #expect(CompleteForecast.isComplete(out + "/" + file, days: 15), "\(file) is not complete")
        }
        let statuses = try Self.statuses(out, "0-of-1")
        #expect(statuses.contains { $0.hasSuffix(":not started") || $0.hasSuffix(":failed") }, "\(statuses)")
        #expect(Self.batch(manifest, out).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".nc") }.count == 12)
    }
}
