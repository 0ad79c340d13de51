import Foundation
import NetCDF
import TestSupport
import Testing

@Suite("forecastd serve: a real server on a loopback port, driven over HTTP", .serialized,
       .enabled(if: Scratch.forecastd != nil, "needs the forecastd binary"))
struct ServeTests {
    /// A long job: weights-sample's forcing persisted beyond its 15 days.
    static let longJob = ", \"forcing_mode\": \"persist\""

    @Test("submit, poll, download (whole and a byte range): the same bits as forecastd run on the same inputs")
    func submitAndDownload() async throws {
        let server = try ServerProcess.fresh()
        let folder = server.folder, root = server.dataRoot
        #expect(try await server.readiness() == 200)
        let processes = try await server.request("GET", "/processes").json["processes"] as? [[String: Any]]
        #expect(processes?.first?["id"] as? String == "forecast")
        let id = try await server.submit(days: 5)
        let done = try await server.wait(for: id) { ["successful", "failed"].contains($0["status"] as? String) }
        #expect(done["status"] as? String == "successful", "\(done)")
        #expect(done["progress"] as? Int == 100 && done["day"] as? Int == 5)
        let whole = try await server.request("GET", "/jobs/\(id)/results")
        #expect(whole.status == 200 && whole.headers["content-type"] == "application/x-netcdf")
        #expect(whole.body.count == done["resultBytes"] as? Int)
        let part = try await server.request("GET", "/jobs/\(id)/results", headers: ["Range": "bytes=1000-1999"])
        #expect(part.status == 206 && part.body == whole.body.subdata(in: 1000..<2000))
        #expect(part.headers["content-range"] == "bytes 1000-1999/\(whole.body.count)")
        let beyond = try await server.request("GET", "/jobs/\(id)/results", headers: ["Range": "bytes=\(whole.body.count)-"])
        #expect(beyond.status == 416)

        let served = folder + "/served.nc", direct = folder + "/direct.nc"
        try whole.body.write(to: URL(fileURLWithPath: served))
        let run = Scratch.run(Scratch.forecastd!, ["run", "--model", Scratch.repository + "/weights-sample", "--init", root + "/init.nc",
                                                   "--forcing", root + "/forcing.nc", "--days", "5", "--out", direct, "--threads", "2"])!
        #expect(run.status == 0, "\(run.output)")
        let a = try NetCDFFile.open(served), b = try NetCDFFile.open(direct)
        for name in ["thetao", "so", "uo", "vo", "zos", "time"] {
            let x = try a.root.variable(name).readRaw(), y = try b.root.variable(name).readRaw()
            #expect(x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(name) differs")
        }
        let metrics = String(decoding: try await server.request("GET", "/metrics").body, as: UTF8.self)
        #expect(metrics.contains("forecastd_forecast_days_total 5"), "\(metrics)")
        #expect(metrics.contains("forecastd_jobs{state=\"successful\"} 1"))
        #expect(metrics.contains("forecastd_forecast_day_seconds_count 5"))
        #expect(metrics.contains("forecastd_queue_depth 0"))

        // The quick-look: the PNG forecastd plot draws of the same field of the same file.
        let look = try await server.request("GET", "/jobs/\(id)/results/quicklook?var=thetao&depth=0&day=5")
        #expect(look.status == 200 && look.headers["content-type"] == "image/png")
        let plotted = folder + "/plotted.png"
        let plot = Scratch.run(Scratch.forecastd!, ["plot", served, "--var", "thetao", "--depth", "0", "--day", "5", "--out", plotted])
        #expect(plot?.status == 0, "\(plot?.output ?? "")")
        #expect(look.body == (try? Data(contentsOf: URL(fileURLWithPath: plotted))))
        #expect(try await server.request("HEAD", "/jobs/\(id)/results/quicklook?var=zos").status == 200)
        for (query, word) in [("var=nope", "thetao"), ("var=thetao&depth=9000", "levels"), ("var=thetao&day=6", "lead day 6"),
                              ("var=thetao&day=0", "day"), ("depth=0", "var")] {
            let refused = try await server.request("GET", "/jobs/\(id)/results/quicklook?\(query)")
            let detail = refused.json["detail"] as? String ?? ""
            #expect(refused.status == 400 && detail.contains(word) && !detail.contains(folder), "\(query): \(detail)")
        }

        // A job asking for BitRound: its result records the bits per variable, as netCDF-C's quantize does.
        let rounded = try await server.submit(days: 1, extra: ", \"quantize\": {\"thetao\": 10}")
        #expect(try await server.wait(for: rounded) { ["successful", "failed"].contains($0["status"] as? String) }["status"] as? String == "successful")
        let result = folder + "/rounded.nc"
        try (try await server.request("GET", "/jobs/\(rounded)/results")).body.write(to: URL(fileURLWithPath: result))
        let file = try NetCDFFile.open(result)
        #expect(try file.root.variable("thetao").attributes()["_QuantizeBitRoundNumberOfSignificantBits"]?.numbers == [10])
        #expect(try file.root.variable("so").attributes()["_QuantizeBitRoundNumberOfSignificantBits"] == nil)
    }

    @Test("an ensemble job: links to its members and statistics, each member the file forecastd run writes, DELETE removes them all")
    func ensembleJob() async throws {
        let server = try ServerProcess.fresh()
        let folder = server.folder, root = server.dataRoot
        let id = try await server.submit(days: 2, extra: ", \"members\": 3, \"perturbation\": \"gaussian\", \"seed\": 5, \"ensemble_statistics\": true, "
                                          + "\"perturbation_scale\": {\"thetao\": 2}")
        let done = try await server.wait(for: id) { ["successful", "failed"].contains($0["status"] as? String) }
        #expect(done["status"] as? String == "successful", "\(done)")
        let list = try await server.request("GET", "/jobs/\(id)/results")
        let links = (list.json["links"] as? [[String: Any]] ?? []).compactMap { $0["href"] as? String }
        #expect(list.status == 200 && links == (1...3).map { "/jobs/\(id)/results?member=\($0)" }
                + ["/jobs/\(id)/results?statistic=mean", "/jobs/\(id)/results?statistic=spread"], "\(links)")
        let run = Scratch.run(Scratch.forecastd!, ["run", "--model", Scratch.repository + "/weights-sample", "--init", root + "/init.nc",
                                                   "--forcing", root + "/forcing.nc", "--days", "2", "--out", folder + "/direct.nc",
                                                   "--members", "3", "--seed", "5", "--perturbation-scale", "thetao=2", "--threads", "2"])!
        #expect(run.status == 0, "\(run.output)")
        var total = 0
        for href in links {
            let file = try await server.request("GET", href)
            #expect(file.status == 200 && file.headers["content-type"] == "application/x-netcdf", "\(href)")
            total += file.body.count
            guard let member = href.split(separator: "=").last.flatMap({ Int($0) }) else { continue }
            let served = folder + "/served-\(member).nc"
            try file.body.write(to: URL(fileURLWithPath: served))
            let a = try NetCDFFile.open(served), b = try NetCDFFile.open(folder + "/direct_member0\(member).nc")
            for name in ["thetao", "zos", "realization"] {
                let x = try a.root.variable(name).readRaw(), y = try b.root.variable(name).readRaw()
                #expect(x.map(\.bitPattern) == y.map(\.bitPattern), "member \(member): \(name) differs from forecastd run's")
            }
        }
        #expect(total == done["resultBytes"] as? Int)
        #expect(try await server.request("GET", "/jobs/\(id)/results/quicklook?var=thetao&statistic=spread").status == 200)
        for query in ["member=4", "member=0", "statistic=median", "member=1&statistic=mean"] {
            #expect(try await server.request("GET", "/jobs/\(id)/results?\(query)").status == 400, "\(query)")
        }
        #expect(try await server.request("DELETE", "/jobs/\(id)").status == 200)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder + "/state/results").filter { $0.hasPrefix(id) }
        #expect(left.isEmpty, "\(left)")
    }

    @Test("bad requests: 400 naming the field, 403 for paths outside the data root, 413 for a huge body, 404 for no job")
    func badRequests() async throws {
        let server = try ServerProcess.fresh { folder in
            try "secret".write(toFile: folder + "/outside.nc", atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: folder + "/data/escape.nc", withDestinationPath: folder + "/outside.nc")
            try FileManager.default.createDirectory(atPath: folder + "/data/sub", withIntermediateDirectories: true)
        }
        let folder = server.folder
        func post(_ body: String) async throws -> (Int, String?) {
            let reply = try await server.request("POST", "/processes/forecast/execution", body: body)
            #expect(reply.headers["content-type"] == "application/problem+json", "\(reply.status)")
            return (reply.status, reply.json["field"] as? String)
        }
        func inputs(_ fields: String) -> String { "{\"inputs\": {\(fields)}}" }
        let good = "\"model\": \"sample\", \"forcing\": \"forcing.nc\""
        #expect(try await post("{not json") == (400, nil))
        #expect(try await post("{\"days\": 3}") == (400, "/inputs"))
        #expect(try await post(inputs("\"model\": \"other\", \"init\": \"init.nc\", \"forcing\": \"forcing.nc\"")) == (400, "/inputs/model"))
        #expect(try await post(inputs(good)) == (400, "/inputs/init"))
        #expect(try await post(inputs(good + ", \"init\": \"init.nc\", \"days\": 0")) == (400, "/inputs/days"))
        #expect(try await post(inputs(good + ", \"init\": \"init.nc\", \"days\": \"5\"")) == (400, "/inputs/days"))
        #expect(try await post(inputs(good + ", \"init\": \"init.nc\", \"dayz\": 5")) == (400, "/inputs/dayz"))
        #expect(try await post(inputs(good + ", \"init\": \"init.nc\", \"precision\": \"fp8\"")) == (400, "/inputs/precision"))
        #expect(try await post(inputs(good + ", \"init\": \"init.nc\", \"quantize\": 30")) == (400, "/inputs/quantize"))
        #expect(try await post(inputs(good + ", \"init\": \"init.nc\", \"quantize\": {\"salt\": 9}")) == (400, "/inputs/quantize"))
        #expect(try await post(inputs(good + ", \"init\": \"init.nc\", \"quantize\": \"12\"")) == (400, "/inputs/quantize"))
        for (field, value) in [("members", "0"), ("members", "\"8\""), ("perturbation", "\"magic\""), ("seed", "-1"),
                               ("perturbation_scale", "{\"speed\": 2}"), ("perturbation_scale", "-3"), ("ensemble_statistics", "1"),
                               ("ensemble_statistics", "true")] {
            #expect(try await post(inputs(good + ", \"init\": \"init.nc\", \"\(field)\": \(value)")) == (400, "/inputs/\(field)"), "\(field): \(value)")
        }
        #expect(try await post(inputs(good + ", \"init\": \"absent.nc\"")) == (400, "/inputs/init"))
        #expect(try await post(inputs(good + ", \"init\": \"sub\"")) == (400, "/inputs/init"))
        #expect(try await post(inputs(good + ", \"init\": \"../outside.nc\"")) == (403, "/inputs/init"))
        #expect(try await post(inputs(good + ", \"init\": \"sub/../../outside.nc\"")) == (403, "/inputs/init"))
        #expect(try await post(inputs(good + ", \"init\": \"\(folder)/outside.nc\"")) == (403, "/inputs/init"))
        #expect(try await post(inputs(good + ", \"init\": \"escape.nc\"")) == (403, "/inputs/init"))
        #expect(try await post(inputs(good + ", \"init\": \"/etc/passwd\"")) == (403, "/inputs/init"))
        let huge = try await server.request("POST", "/processes/forecast/execution", body: String(repeating: " ", count: 100_000) + "{}")
        #expect(huge.status == 413)
        #expect(try await server.request("GET", "/jobs/nope").status == 404)
        #expect(try await server.request("DELETE", "/jobs/nope").status == 404)
        #expect((try await server.request("GET", "/jobs").json["jobs"] as? [Any])?.isEmpty == true, "no job was queued")
    }

    @Test("a job whose files are wrong fails with the file and the problem named, and the service goes on")
    func failedJob() async throws {
        let server = try ServerProcess.fresh()
        let reply = try await server.request("POST", "/processes/forecast/execution", body: """
            {"inputs": {"model": "sample", "init": "init.nc", "forcing": "init.nc", "days": 2}}
            """)
        let id = try #require(reply.json["jobID"] as? String)
        let failed = try await server.wait(for: id) { ["successful", "failed"].contains($0["status"] as? String) }
        #expect(failed["status"] as? String == "failed")
        let message = failed["message"] as? String ?? ""
        #expect(message.contains(server.dataRoot + "/init.nc") && message.contains("u10"), "\(message)")
        #expect(try await server.request("GET", "/jobs/\(id)/results").status == 404)
        let next = try await server.submit(days: 1)
        #expect(try await server.wait(for: next) { ["successful", "failed"].contains($0["status"] as? String) }["status"] as? String == "successful")
    }

    @Test("a bearer token is required when configured, except on the health checks")
    func token() async throws {
        let tokenFile = NSTemporaryDirectory() + "forecastd-token-\(UUID().uuidString)"
        try "s3cret-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let server = try ServerProcess.fresh(extra: ["--token-file", tokenFile])
        #expect(try await server.request("GET", "/v2/health/live").status == 200)
        let missing = try await server.request("GET", "/jobs")
        #expect(missing.status == 401 && missing.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        #expect(try await server.request("GET", "/jobs", headers: ["Authorization": "Bearer s3cret-tokem"]).status == 401)
        #expect(try await server.request("POST", "/processes/forecast/execution", body: "{}").status == 401)
        server.token = "s3cret-token"
        #expect(try await server.request("GET", "/jobs").status == 200)
        #expect(try await server.request("GET", "/metrics").status == 200)
    }

    @Test("queue full -> 429 with Retry-After; DELETE dismisses a waiting job at once and a running one within a day")
    func queueAndCancel() async throws {
        let server = try ServerProcess.fresh(extra: ["--queue-limit", "1"])
        let running = try await server.submit(days: 300, extra: Self.longJob)
        try await server.wait(for: running) { $0["status"] as? String == "running" && ($0["day"] as? Int ?? 0) >= 1 }
        let waiting = try await server.submit(days: 2)
        let full = try await server.request("POST", "/processes/forecast/execution",
                                            body: "{\"inputs\": {\"model\": \"sample\", \"init\": \"init.nc\", \"forcing\": \"forcing.nc\"}}")
        #expect(full.status == 429 && Int(full.headers["retry-after"] ?? "") ?? 0 >= 1, "\(full.status) \(full.headers)")
        #expect(try await server.request("DELETE", "/jobs/\(waiting)").json["status"] as? String == "dismissed")
        let asked = Date()
        _ = try await server.request("DELETE", "/jobs/\(running)")
        let ended = try await server.wait(for: running, seconds: 30) { $0["status"] as? String != "running" }
        #expect(ended["status"] as? String == "dismissed", "\(ended)")
        #expect((ended["day"] as? Int ?? 300) < 300)
        #expect(Date().timeIntervalSince(asked) < 10, "stopped within a forecast day (a day takes well under a second here)")
        #expect(try await server.request("GET", "/jobs/\(running)/results").status == 404)
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.stateFolder + "/results").isEmpty, "no partial output is kept")
    }

    @Test("kill -9 mid-job: after a restart finished jobs keep their results, the interrupted job runs again, no partial result is served")
    func crashRecovery() async throws {
        var server = try ServerProcess.fresh()
        let state = server.stateFolder
        let finished = try await server.submit(days: 2)
        try await server.wait(for: finished) { $0["status"] as? String == "successful" }
        let first = try await server.request("GET", "/jobs/\(finished)/results").body
        let interrupted = try await server.submit(days: 40, extra: Self.longJob)
        try await server.wait(for: interrupted) { ($0["day"] as? Int ?? 0) >= 2 }
        server.stop(SIGKILL)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: state + "/results")
        #expect(leftovers.contains { $0.contains(interrupted) && $0.hasPrefix(".") }, "the killed job left its temporary file: \(leftovers)")
        #expect(!leftovers.contains(interrupted + ".nc"))

        server = try server.restarted()
        let again = try await server.request("GET", "/jobs/\(interrupted)").json
        #expect(["accepted", "running"].contains(again["status"] as? String ?? ""), "\(again)")
        #expect((again["message"] as? String)?.contains("stopped while this job was running") == true || again["status"] as? String == "running")
        let early = try await server.request("GET", "/jobs/\(interrupted)/results")
        #expect(early.status == 404 || early.status == 200, "never a partial file")
        if early.status == 200 { #expect(early.body.count == (try await server.request("GET", "/jobs/\(interrupted)").json["resultBytes"] as? Int)) }
        #expect(try await server.request("GET", "/jobs/\(finished)/results").body == first)
        let done = try await server.wait(for: interrupted) { ["successful", "failed"].contains($0["status"] as? String) }
        #expect(done["status"] as? String == "successful" && done["attempts"] as? Int == 2, "\(done)")
        let names = try FileManager.default.contentsOfDirectory(atPath: state + "/results").sorted()
        #expect(names == [finished + ".nc", interrupted + ".nc"].sorted(), "the temporary file was cleared: \(names)")
    }

    @Test("SIGTERM drains: the running day finishes, the job goes back to the queue, the process exits 0; the next start finishes it")
    func gracefulDrain() async throws {
        var server = try ServerProcess.fresh()
        let state = server.stateFolder
        let id = try await server.submit(days: 40, extra: Self.longJob)
        try await server.wait(for: id) { ($0["day"] as? Int ?? 0) >= 1 }
        #expect(server.stop(SIGTERM) == 0)
        let journal = try String(contentsOfFile: state + "/jobs.journal", encoding: .utf8)
        let last = journal.split(separator: "\n").last { $0.contains(id) }.map(String.init) ?? ""
        #expect(last.contains("\"status\":\"accepted\"") && last.contains("the service stopped before day"), "\(last)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: state + "/results").isEmpty)
        server = try server.restarted()
        let done = try await server.wait(for: id) { ["successful", "failed"].contains($0["status"] as? String) }
        #expect(done["status"] as? String == "successful", "\(done)")
    }

    @Test("a second serve on the same state folder is refused (exit 75, naming the folder) and the first goes on untouched")
    func oneDaemonPerStateFolder() async throws {
        let server = try ServerProcess.fresh()
        let id = try await server.submit(days: 2)
        let second = try #require(Scratch.run(Scratch.forecastd!, ["serve", "--model", "sample=" + Scratch.repository + "/weights-sample",
                                                                   "--data-root", server.dataRoot, "--state-dir", server.stateFolder,
                                                                   "--port", "0"]))
        #expect(second.status == 75 && second.output.contains("another forecastd serve is using this state folder"), "\(second.output)")
        let done = try await server.wait(for: id) { ["successful", "failed"].contains($0["status"] as? String) }
        #expect(done["status"] as? String == "successful", "\(done)")
        #expect(server.stop(SIGTERM) == 0)
    }
}
