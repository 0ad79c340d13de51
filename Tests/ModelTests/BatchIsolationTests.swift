import Foundation
import TestSupport
import Testing

/// `forecastd batch` runs each forecast in its own process and skips only outputs of the same inputs, through
/// the binary on weights-sample copies.
@Suite("forecastd batch: each forecast isolated, skips only for the same inputs", .serialized,
       .enabled(if: Scratch.forecastd != nil && Scratch.has("pkill") && Scratch.python(has: ["netCDF4", "numpy"]),
                "needs the forecastd binary, pkill and python3 with netCDF4"))
struct BatchIsolationTests {
    /// A weights-sample copy with a manifest of `names`, all on its init and forcing.
    static func setUp(_ names: [String]) throws -> (folder: String, manifest: String) {
        let folder = try HostileInputTests.copy()
        let manifest = folder + "/runs.txt"
        try names.map { "init=init.nc forcing=forcing.nc name=\($0)" }.joined(separator: "\n")
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        return (folder, manifest)
    }

    static func batch(_ folder: String, _ extra: [String]) -> (status: Int32, output: String) {
        let r = Scratch.run(Scratch.forecastd!, ["batch", "--manifest", folder + "/runs.txt", "--model", folder, "--out-dir",
                                                 folder + "/out", "--threads", "1"] + extra)!
        #expect(!r.signaled)
        return (r.status, r.output)
    }

    static func outcomes(_ folder: String) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/out/batch-task-0-of-1.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var result: [String: String] = [:]
        for outcome in json["outcomes"] as? [[String: Any]] ?? [] {
            result[outcome["name"] as? String ?? ""] = "\(outcome["status"] ?? "")" + ((outcome["error"] as? String).map { ": " + $0 } ?? "")
        }
        return result
    }

    @Test("A rerun skips outputs of unchanged inputs and redoes one whose init was rewritten in place")
    func skipsOnlySameInputs() throws {
        let (folder, _) = try Self.setUp(["a", "b"])
        #expect(Self.batch(folder, ["--days", "2"]).status == 0)
        #expect(Self.batch(folder, ["--days", "2"]).status == 0)
        let skipped = try Self.outcomes(folder)
        #expect(skipped.values.allSatisfy { $0 == "skipped (complete)" }, "\(skipped)")
        try HostileInputTests.edit(folder + "/init.nc", HostileInputTests.oceanCell + "\nd['thetao'][0, 0, j, i] += 0.5")
        #expect(Self.batch(folder, ["--days", "2"]).status == 0)
        let redone = try Self.outcomes(folder)
        #expect(redone.values.allSatisfy { $0 == "done" }, "\(redone)")
    }

    @Test("A forecast past --entry-time-limit is killed and failed; the next still runs; the report is written; nothing partial")
    func hangIsItsOwnFailure() throws {
        let (folder, _) = try Self.setUp(["slow", "next"])
        let r = Self.batch(folder, ["--days", "366", "--forcing-mode", "persist", "--entry-time-limit", "1"])
        #expect(r.status == 70, "\(r.output.suffix(400))")
        let outcomes = try Self.outcomes(folder)
        #expect(outcomes["slow"]?.contains("time limit of 1 s") == true && outcomes["next"]?.contains("time limit") == true, "\(outcomes)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/out") == ["batch-task-0-of-1.json"])
    }

    @Test("A forecast whose process dies (SIGKILL, as a crash or the OOM killer ends it) fails alone: the others run, the report says so")
    func crashIsItsOwnFailure() throws {
        let (folder, _) = try Self.setUp(["crash", "after"])
        let batch = try Spawned(Scratch.forecastd!, ["batch", "--manifest", folder + "/runs.txt", "--model", folder, "--out-dir",
                                                     folder + "/out", "--days", "200", "--forcing-mode", "persist", "--threads", "1"])
        batch.wait(for: "day=2 ")
        let kill = try #require(Scratch.run("pkill", ["-KILL", "-f", "--", "--out " + folder + "/out/crash.nc"]))
        #expect(kill.status == 0, "no forecast process to crash: \(kill.output)")
        batch.finish()
        #expect(batch.process.terminationStatus == 70, "\(batch.seen.suffix(300))")
        let outcomes = try Self.outcomes(folder)
        #expect(outcomes["crash"]?.contains("killed by signal 9") == true && outcomes["after"] == "done", "\(outcomes)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/out").sorted() == ["after.nc", "batch-task-0-of-1.json"])
    }
}
