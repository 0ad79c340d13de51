import Foundation
import NetCDF
import OceanGrid
import Surrogate
import Tensor
import TestSupport
import Testing

@Suite("BatchRunner in-process: outcomes, the shard's status, the report file",
       .enabled(if: ForecastFixtures.available, "needs python3 with numpy, safetensors, netCDF4, ml_dtypes"))
struct BatchRunnerTests {
    static func runner(_ manifest: String, out: String, days: Int = 2, ensemble: EnsembleOptions = EnsembleOptions()) throws -> BatchRunner {
        var template = ForecastRequest(model: try ForecastFixtures.model.get(), initial: "-", forcing: "-", output: "-")
        template.days = days
        template.ensemble = ensemble
        return BatchRunner(manifest: try BatchManifest(path: manifest), shard: try BatchShard(index: 0, count: 1), outputFolder: out,
                           template: template, pool: ThreadPool(threads: 1), probe: nil)
    }

    /// The status a front end gives each error here: 66 for a missing file, 75 for an interruption, else 65.
    static func status(_ error: Error) -> Int32 {
        switch error {
        case NetCDFError.fileMissing: 66
        case ForecastError.interrupted: 75
        default: 65
        }
    }

    @Test("done, failed with the first failure's status, skipped when complete; the report is written beside the outputs")
    func outcomes() throws {
        let (manifest, out) = try BatchCommandTests.setUp(1)
        try "init=init.nc forcing=forcing.nc name=good\ninit=absent.nc forcing=forcing.nc name=bad\n"
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        var lines: [String] = []
        let first = try Self.runner(manifest, out: out).run(shouldStop: { false }, exitStatus: Self.status, log: { lines.append($0) })
        #expect(first.outcomes.map(\.status) == [.done, .failed])
        #expect(first.outcomes[1].error?.contains("absent.nc") == true)
        #expect(first.exitStatus == 66)
        #expect(lines.count == 2 && lines[0].hasPrefix("event=done name=good") && lines[1].hasPrefix("event=failed name=bad exit=66"))
        let stored = try JSONDecoder().decode(BatchReport.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/batch-task-0-of-1.json")))
        #expect(stored.outcomes == first.outcomes && stored.exitStatus == 66 && stored.shard == "0/1")
        let second = try Self.runner(manifest, out: out).run(shouldStop: { false }, exitStatus: Self.status, log: { _ in })
        #expect(second.outcomes.map(\.status) == [.skipped, .failed])
    }

    @Test("An ensemble's forecast: its member files; skipped only when every member is complete and of the same ensemble")
    func ensemble() throws {
        let (manifest, out) = try BatchCommandTests.setUp(1)
        var options = EnsembleOptions()
        options.members = 2
        func run() throws -> [BatchOutcome.Status] {
            try Self.runner(manifest, out: out, ensemble: options).run(shouldStop: { false }, exitStatus: Self.status, log: { _ in }).outcomes.map(\.status)
        }
        #expect(try run() == [.done])
        let files = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".nc") }.sorted()
        #expect(files.count == 2 && files.allSatisfy { $0.contains("_member0") }, "\(files)")
        #expect(try run() == [.skipped])
        try FileManager.default.removeItem(atPath: out + "/" + files[1])
        #expect(try run() == [.done], "a missing member must be computed again")
        options.seed = 2
        #expect(try run() == [.done], "another seed is another ensemble")
    }

    @Test("Asked to stop: the forecast running stops at a day boundary, the rest are not started, the status is the interruption's")
    func interrupted() throws {
        let (manifest, out) = try BatchCommandTests.setUp(3)
        var asked = 0
        let report = try Self.runner(manifest, out: out, days: 3).run(shouldStop: { asked += 1; return asked > 2 },
                                                                      exitStatus: Self.status, log: { _ in })
        #expect(report.outcomes.map(\.status) == [.failed, .notStarted, .notStarted])
        #expect(report.exitStatus == 75)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["batch-task-0-of-1.json"])
    }

    @Test("A request that breaks a rule is refused before anything runs")
    func invalidTemplate() throws {
        let (manifest, out) = try BatchCommandTests.setUp(1)
        #expect(throws: ForecastRequestError.self) {
            _ = try Self.runner(manifest, out: out, days: 0).run(shouldStop: { false }, exitStatus: Self.status, log: { _ in })
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
