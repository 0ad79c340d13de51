import Foundation
import TestSupport
import Testing

/// The pages for people: server-rendered HTML on the same routes, escaped, under the same token rules, and a
/// real browser (headless Chromium) showing a finished job.
@Suite("forecastd serve's HTML pages", .serialized, .enabled(if: Scratch.forecastd != nil, "needs the forecastd binary"))
struct HTMLPagesTests {
    static let html = ["Accept": "text/html,application/xhtml+xml"]
    /// A data file whose name HTML would read as markup.
    static let awkward = "a<b>&'x.nc"

    static func text(_ reply: ServerProcess.Reply) -> String { String(decoding: reply.body, as: UTF8.self) }

    @Test("Landing page, form (the data roots' files, escaped), a forecast submitted through the form, job list and job page; JSON stays the default")
    func pages() async throws {
        let server = try ServerProcess.fresh { folder in
            try FileManager.default.copyItem(atPath: folder + "/data/init.nc", toPath: folder + "/data/" + Self.awkward)
        }
        #expect(try await server.readiness() == 200)
        let landing = try await server.request("GET", "/", headers: Self.html)
        #expect(landing.status == 200 && landing.headers["content-type"] == "text/html; charset=utf-8")
        #expect(Self.text(landing).contains("<h1>forecastd</h1>") && Self.text(landing).contains("href=\"/processes/forecast?f=html\""))
        #expect(try await server.request("GET", "/").headers["content-type"] == "application/json", "curl and clients get JSON")
        let form = Self.text(try await server.request("GET", "/processes/forecast?f=html"))
        #expect(form.contains("<option>init.nc</option>") && form.contains("<option>forcing.nc</option>") && form.contains("<option>sample</option>"))
        #expect(form.contains("a&lt;b&gt;&amp;&#39;x.nc") && !form.contains(Self.awkward), "the file name is escaped")
        // Submitting the form: 303 to the job's page (followed here), the job created as through JSON.
        let submitted = try await server.request("POST", "/processes/forecast/execution", body: "model=sample&init=init.nc&forcing=forcing.nc&days=2",
                                                 headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(submitted.status == 200 && Self.text(submitted).contains("<h1>Job "), "\(submitted.status)")
        let jobs = try await server.request("GET", "/jobs").json["jobs"] as? [[String: Any]] ?? []
        let id = try #require(jobs.first?["jobID"] as? String)
        #expect(Self.text(submitted).contains(id))
        try await server.wait(for: id) { $0["status"] as? String == "successful" }
        let page = Self.text(try await server.request("GET", "/jobs/\(id)?f=html"))
        #expect(page.contains(">successful<") && page.contains("day 2 of 2") && page.contains("Download the forecast"))
        #expect(page.contains("<td>init.nc</td>") && !page.contains(server.folder), "inputs shown by their names in the data root")
        #expect(page.contains("/jobs/\(id)/results/quicklook?var=thetao&amp;depth=0&amp;day=2"))
        let list = Self.text(try await server.request("GET", "/jobs", headers: Self.html))
        #expect(list.contains("/jobs/\(id)?f=html") && list.contains(">successful<"))
        // A refused form comes back as the form with the problem, escaped, and the status the JSON API gives.
        let refused = try await server.request("POST", "/processes/forecast/execution", body: "model=sample&init=..%2F%3Cx%3E&forcing=forcing.nc&days=2",
                                               headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(refused.status == 403 && Self.text(refused).contains("../&lt;x&gt;") && !Self.text(refused).contains("<x>"))
        let badDays = try await server.request("POST", "/processes/forecast/execution", body: "model=sample&init=init.nc&forcing=forcing.nc&days=many",
                                               headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(badDays.status == 400 && Self.text(badDays).contains("days"))
    }

    @Test("The token applies to the pages as to JSON")
    func token() async throws {
        let tokenFile = NSTemporaryDirectory() + "forecastd-token-\(UUID().uuidString)"
        try "page-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let server = try ServerProcess.fresh(extra: ["--token-file", tokenFile])
        #expect(try await server.request("GET", "/?f=html").status == 401)
        #expect(try await server.request("GET", "/processes/forecast", headers: Self.html).status == 401)
        server.token = "page-token"
        #expect(try await server.request("GET", "/?f=html").status == 200)
    }

    static let chromium = ["chromium", "chromium-browser"].first(where: Scratch.has)

    @Test("Headless Chromium renders the landing page and a finished job's page: not blank, the job's state in the text; the screenshot kept",
          .enabled(if: chromium != nil && Scratch.python(has: ["PIL"]), "needs Debian's chromium and python3 with Pillow"))
    func browser() async throws {
        let server = try ServerProcess.fresh()
        #expect(try await server.readiness() == 200)
        let id = try await server.submit(days: 3)
        try await server.wait(for: id) { $0["status"] as? String == "successful" }
        let artefacts = Scratch.repository + "/.build/test-artefacts"
        try FileManager.default.createDirectory(atPath: artefacts, withIntermediateDirectories: true)
        let base = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=5000"]
        for (name, path) in [("landing-page", "/?f=html"), ("job-page", "/jobs/\(id)?f=html")] {
            let url = "http://127.0.0.1:\(server.port)\(path)", shot = artefacts + "/\(name).png"
            try? FileManager.default.removeItem(atPath: shot)
            let dom = try #require(Scratch.run(Self.chromium!, base + ["--dump-dom", url]))
            let picture = try #require(Scratch.run(Self.chromium!, base + ["--window-size=1100,1500", "--screenshot=\(shot)", url]))
            #expect(FileManager.default.fileExists(atPath: shot), "\(picture.output)")
            let colours = try #require(Scratch.run("python3", ["-c", "import sys; from PIL import Image; print(len(Image.open(sys.argv[1]).convert('RGB').getcolors(1 << 24)))", shot]))
            #expect(colours.status == 0 && (Int(colours.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > (name == "job-page" ? 100 : 2),
                    "\(name): \(colours.output)")
            if name == "job-page" {
                #expect(dom.output.contains(">successful<") && dom.output.contains("day 3 of 3"), "\(dom.output.suffix(2000))")
            } else {
                #expect(dom.output.contains("<h1>forecastd</h1>"))
            }
        }
    }
}
