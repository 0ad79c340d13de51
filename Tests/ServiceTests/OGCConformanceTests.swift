import Foundation
import TestSupport
import Testing

/// OGC API - Processes - Part 1: Core, each declared conformance class tested through the routes it requires,
/// and OWSLib, the standard Python client, driving a real daemon end to end.
@Suite("forecastd serve as an OGC API", .serialized, .enabled(if: Scratch.forecastd != nil, "needs the forecastd binary"))
struct OGCConformanceTests {
    static let base = "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/"

    @Test("core, json, oas30, ogc-process-description, job-list, dismiss: the routes each requires (html: HTMLPagesTests); HEAD wherever GET; Prefer answered")
    func conformanceClasses() async throws {
        let server = try ServerProcess.fresh()
        #expect(try await server.readiness() == 200)
        // conformance: exactly the classes this test covers.
        let declared = try await server.request("GET", "/conformance").json["conformsTo"] as? [String]
        #expect(Set(declared ?? []) == Set(["core", "json", "html", "oas30", "job-list", "dismiss", "ogc-process-description"].map { Self.base + $0 }))
        // core + json: the landing page links the API definition, conformance, processes and jobs, each served as JSON.
        let landing = try await server.request("GET", "/")
        #expect(landing.status == 200 && landing.headers["content-type"] == "application/json")
        let links = landing.json["links"] as? [[String: Any]] ?? []
        let rels = Dictionary(links.map { ($0["rel"] as? String ?? "", $0["href"] as? String ?? "") }, uniquingKeysWith: { a, _ in a })
        for rel in ["self", "service-desc", "http://www.opengis.net/def/rel/ogc/1.0/conformance",
                    "http://www.opengis.net/def/rel/ogc/1.0/processes", "http://www.opengis.net/def/rel/ogc/1.0/job-list"] {
            let href = try #require(rels[rel], "no link \(rel)")
            let reply = try await server.request("GET", href)
            #expect(reply.status == 200 && reply.headers["content-type"]?.contains("json") == true, "\(rel) -> \(href): \(reply.status)")
        }
        // ogc-process-description: inputs with schemas, the output, the job control options.
        let description = try await server.request("GET", "/processes/forecast").json
        let inputs = description["inputs"] as? [String: [String: Any]] ?? [:]
        #expect(["model", "init", "forcing", "days", "start", "quantize"].allSatisfy { inputs[$0]?["schema"] != nil }, "\(inputs.keys)")
        #expect((description["outputs"] as? [String: Any])?["forecast"] != nil)
        #expect(description["jobControlOptions"] as? [String] == ["async-execute", "dismiss"])
        // Execution: Prefer respond-sync on an async-only process still creates the job (201, Location);
        // respond-async is acknowledged with Preference-Applied.
        let body = #"{"inputs": {"model": "sample", "init": "init.nc", "forcing": "forcing.nc", "days": 1}}"#
        let sync = try await server.request("POST", "/processes/forecast/execution", body: body, headers: ["Prefer": "respond-sync"])
        #expect(sync.status == 201 && sync.headers["location"] == "/jobs/\(sync.json["jobID"] as? String ?? "")")
        #expect(sync.headers["preference-applied"] == nil)
        let async = try await server.request("POST", "/processes/forecast/execution", body: body, headers: ["Prefer": "respond-async"])
        #expect(async.status == 201 && async.headers["preference-applied"] == "respond-async")
        let id = try #require(sync.json["jobID"] as? String), other = try #require(async.json["jobID"] as? String)
        try await server.wait(for: id) { $0["status"] as? String == "successful" }
        // job-list: both jobs listed with their statusInfo.
        let jobs = try await server.request("GET", "/jobs").json["jobs"] as? [[String: Any]] ?? []
        #expect(Set(jobs.compactMap { $0["jobID"] as? String }).isSuperset(of: [id, other]))
        #expect(jobs.allSatisfy { $0["status"] != nil && $0["type"] as? String == "process" })
        // oas30: the definition names every route, and every GET route it names answers (none is a 404 route miss).
        let api = try await server.request("GET", "/api")
        #expect(api.status == 200 && api.headers["content-type"] == "application/vnd.oai.openapi+json;version=3.0")
        #expect((api.json["openapi"] as? String)?.hasPrefix("3.0") == true)
        let paths = api.json["paths"] as? [String: [String: Any]] ?? [:]
        #expect(Set(paths.keys) == ["/", "/api", "/conformance", "/processes", "/processes/forecast", "/processes/forecast/execution",
                                    "/jobs", "/jobs/{jobId}", "/jobs/{jobId}/results", "/jobs/{jobId}/results/quicklook",
                                    "/v2/health/live", "/v2/health/ready", "/metrics"])
        for (path, methods) in paths.sorted(by: { $0.key < $1.key }) where methods["get"] != nil {
            let concrete = path.replacingOccurrences(of: "{jobId}", with: id) + (path.hasSuffix("quicklook") ? "?var=zos" : "")
            let get = try await server.request("GET", concrete), head = try await server.request("HEAD", concrete)
            #expect(get.status == 200, "GET \(concrete): \(get.status)")
            #expect(head.status == 200 && head.body.isEmpty, "HEAD \(concrete): \(head.status)")
            if path != "/metrics" && path != "/jobs" && path != "/jobs/{jobId}" {   // those two change between the requests
                #expect(head.headers["content-length"] == "\(get.body.count)", "HEAD \(concrete): \(head.headers)")
            }
        }
        // dismiss: DELETE answers the statusInfo as dismissed, and the job's results are gone.
        let dismissed = try await server.request("DELETE", "/jobs/\(id)")
        #expect(dismissed.status == 200 && dismissed.json["status"] as? String == "dismissed")
        #expect(try await server.request("GET", "/jobs/\(id)/results").status == 404)
    }

    @Test("OWSLib end to end: landing page, conformance, processes, description, async execute, poll, download, open with xarray",
          .enabled(if: Scratch.python(has: ["owslib", "requests", "xarray", "numpy"]), "needs python3 with OWSLib, requests and xarray"))
    func owslib() async throws {
        let server = try ServerProcess.fresh()
        #expect(try await server.readiness() == 200)
        let script = Scratch.repository + "/Tests/ServiceTests/Clients/owslib_forecast.py"
        let run = try #require(Scratch.run("python3", [script, "http://127.0.0.1:\(server.port)/", "2", server.folder + "/owslib.nc"]))
        #expect(run.status == 0, "\(run.output)")
        let line = run.output.split(separator: "\n").last.map(String.init) ?? ""
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(run.output)")
        #expect((seen["conformsTo"] as? [String])?.contains(Self.base + "core") == true)
        #expect((seen["links"] as? [String])?.contains("service-desc") == true)
        #expect(seen["processes"] as? [String] == ["forecast"])
        #expect((seen["inputs"] as? [String])?.contains("forcing") == true)
        #expect(seen["submitted"] as? String == "accepted" && seen["status"] as? String == "successful", "\(seen)")
        #expect(seen["variables"] as? [String] == ["so", "thetao", "uo", "vo", "zos"] && seen["times"] as? Int == 2)
        #expect(seen["surface_thetao_finite"] as? Bool == true)
    }
}
