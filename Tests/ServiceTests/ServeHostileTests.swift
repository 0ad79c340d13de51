import Foundation
import TestSupport
import Testing

/// forecastd serve against hostile requests and files changing under it, over real HTTP.
@Suite("forecastd serve: paths, time limits and results under hostile use", .serialized,
       .enabled(if: Scratch.forecastd != nil, "needs the forecastd binary"))
struct ServeHostileTests {
    func post(_ server: ServerProcess, _ body: String) async throws -> ServerProcess.Reply {
        try await server.request("POST", "/processes/forecast/execution", body: body)
    }

    @Test("outside paths get one answer whether they exist or not and wherever a link points; duplicate keys are refused")
    func oneAnswerOutside() async throws {
        let server = try ServerProcess.fresh { folder in
            try "secret".write(toFile: folder + "/outside.nc", atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: folder + "/data/escape.nc", withDestinationPath: folder + "/outside.nc")
        }
        var details: [String: String] = [:]
        for path in ["/etc/passwd", "/etc/no-such-file-here", server.folder + "/outside.nc", server.folder + "/absent.nc", "escape.nc"] {
            let reply = try await post(server, "{\"inputs\": {\"model\": \"sample\", \"init\": \"\(path)\", \"forcing\": \"forcing.nc\"}}")
            #expect(reply.status == 403, "\(path): \(reply.status)")
            let detail = reply.json["detail"] as? String ?? ""
            #expect(!detail.contains("resolves") && !detail.contains("outside.nc") || path.hasSuffix("outside.nc"), "\(path): \(detail)")
            details[path] = detail.replacingOccurrences(of: path, with: "PATH")
        }
        #expect(Set(details.values).count == 1, "\(details)")
        let twice = try await post(server, "{\"inputs\": {\"model\": \"sample\", \"init\": \"init.nc\", \"forcing\": \"forcing.nc\", \"days\": 1, \"days\": 300}}")
        #expect(twice.status == 400 && (twice.json["detail"] as? String ?? "").contains("\"days\" appears twice"), "\(twice.json)")
    }

    @Test("a folder swapped for a link after submission: the job fails without reading outside, and no file content is echoed")
    func swappedFolder() async throws {
        let server = try ServerProcess.fresh { folder in
            try FileManager.default.createDirectory(atPath: folder + "/data/sub", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: folder + "/data/init.nc", toPath: folder + "/data/sub/init.nc")
            try FileManager.default.createDirectory(atPath: folder + "/elsewhere", withIntermediateDirectories: true)
            try "TOPSECRET line one\n".write(toFile: folder + "/elsewhere/init.nc", atomically: true, encoding: .utf8)
        }
        let blocker = try await server.submit(days: 366, extra: ServeTests.longJob)
        try await server.wait(for: blocker) { $0["status"] as? String == "running" }
        let swapped = try await post(server, "{\"inputs\": {\"model\": \"sample\", \"init\": \"sub/init.nc\", \"forcing\": \"forcing.nc\", \"days\": 1}}")
        let job = try #require(swapped.json["jobID"] as? String)
        let folder = server.folder
        try FileManager.default.moveItem(atPath: folder + "/data/sub", toPath: folder + "/sub-was")
        try FileManager.default.createSymbolicLink(atPath: folder + "/data/sub", withDestinationPath: folder + "/elsewhere")
        #expect(try await server.request("DELETE", "/jobs/\(blocker)").status == 200)
        let failed = try await server.wait(for: job) { ["successful", "failed"].contains($0["status"] as? String) }
        let message = failed["message"] as? String ?? ""
        #expect(failed["status"] as? String == "failed" && message.contains("no longer inside a data root"), "\(failed)")
        #expect(!message.contains("TOPSECRET") && !message.contains("elsewhere"), "\(message)")
    }

    @Test("a job past --job-time-limit is stopped at its next day and failed; readiness is back once the slot is free")
    func timeLimit() async throws {
        let server = try ServerProcess.fresh(extra: ["--job-time-limit", "1"])
        let id = try await server.submit(days: 366, extra: ServeTests.longJob)
        let ended = try await server.wait(for: id, seconds: 60) { ["successful", "failed"].contains($0["status"] as? String) }
        #expect(ended["status"] as? String == "failed" && (ended["message"] as? String ?? "").contains("time limit of 1 s"), "\(ended)")
        #expect(try await server.request("GET", "/v2/health/ready").status == 200)
        let partials = try FileManager.default.contentsOfDirectory(atPath: server.stateFolder).filter { $0.contains("partial") }
        #expect(partials.isEmpty, "\(partials)")
    }

    @Test("HEAD on a result gives its headers; If-Range that does not name the current version gets the whole file")
    func headAndIfRange() async throws {
        let server = try ServerProcess.fresh()
        let id = try await server.submit(days: 2)
        let done = try await server.wait(for: id) { ["successful", "failed"].contains($0["status"] as? String) }
        let size = try #require(done["resultBytes"] as? Int)
        let head = try await server.request("HEAD", "/jobs/\(id)/results")
        #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "\(size)", "\(head.headers)")
        let etag = try #require(head.headers["etag"])
        let stale = try await server.request("GET", "/jobs/\(id)/results", headers: ["Range": "bytes=0-99", "If-Range": "\"stale\""])
        #expect(stale.status == 200 && stale.body.count == size)
        let current = try await server.request("GET", "/jobs/\(id)/results", headers: ["Range": "bytes=0-99", "If-Range": etag])
        #expect(current.status == 206 && current.body.count == 100)
    }

    @Test("hostile files posted as jobs (NaN and empty times, an Inf longitude, an Inf forcing value) fail their jobs at once; the daemon goes on",
          .enabled(if: Scratch.python(has: ["netCDF4", "numpy"]), "needs python3 with netCDF4"))
    func hostileFiles() async throws {
        let edits = ["nan-time.nc": ("init.nc", "d['time'][0] = np.nan"), "inf-longitude.nc": ("init.nc", "d['longitude'][5] = np.inf"),
                     "inf-ssr.nc": ("forcing.nc", "d['ssr'][0] = np.inf"), "empty-time.nc": ("init.nc", "")]
        let server = try ServerProcess.fresh { folder in
            for (name, (source, code)) in edits {
                let script = code.isEmpty ? """
                    import sys, netCDF4 as nc
                    s = nc.Dataset(sys.argv[1]); d = nc.Dataset(sys.argv[2], 'w')
                    for n, dim in s.dimensions.items(): d.createDimension(n, None if dim.isunlimited() else len(dim))
                    for n, v in s.variables.items():
                        w = d.createVariable(n, v.dtype, v.dimensions); w.setncatts({k: v.getncattr(k) for k in v.ncattrs() if k != '_FillValue'})
                        if 'time' not in v.dimensions: w[...] = v[...]
                    d.close()
                    """ : "import sys, shutil, netCDF4 as nc, numpy as np\nshutil.copy(sys.argv[1], sys.argv[2])\nd = nc.Dataset(sys.argv[2], 'a')\n\(code)\nd.close()"
                let r = Scratch.run("python3", ["-c", script, folder + "/data/" + source, folder + "/data/" + name])
                guard r?.status == 0 else { throw ServerProcess.ServerError.didNotStart("fixture \(name): \(r?.output ?? "")") }
            }
        }
        for (name, (source, _)) in edits.sorted(by: { $0.key < $1.key }) {
            let initial = source == "init.nc" ? name : "init.nc", forcing = source == "forcing.nc" ? name : "forcing.nc"
            let reply = try await post(server, "{\"inputs\": {\"model\": \"sample\", \"init\": \"\(initial)\", \"forcing\": \"\(forcing)\", \"days\": 2}}")
            let id = try #require(reply.json["jobID"] as? String, "\(name): \(reply.status)")
            let ended = try await server.wait(for: id, seconds: 30) { ["successful", "failed"].contains($0["status"] as? String) }
            #expect(ended["status"] as? String == "failed" && (ended["message"] as? String ?? "").contains(name), "\(name): \(ended)")
        }
        #expect(try await server.request("GET", "/v2/health/ready").status == 200)
        let good = try await server.submit(days: 1)
        #expect(try await server.wait(for: good) { ["successful", "failed"].contains($0["status"] as? String) }["status"] as? String == "successful")
    }

    @Test("a missing data root is refused at start with exit 66 naming it")
    func missingDataRoot() throws {
        let folder = try Scratch.folder("missing-root")
        let r = try #require(Scratch.run(Scratch.forecastd!, ["serve", "--model", "sample=" + Scratch.repository + "/weights-sample",
                                                               "--data-root", folder + "/nowhere", "--state-dir", folder + "/state", "--port", "0"]))
        #expect(r.status == 66 && r.output.contains(folder + "/nowhere") && r.output.contains("data root"), "\(r.output)")
    }
}
