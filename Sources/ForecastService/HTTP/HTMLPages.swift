import Foundation

/// The pages a person sees in a browser (`Accept: text/html` or `?f=html`, OGC's convention): the landing page,
/// the forecast form, the job list and a job's page with its quick-look maps. Server-rendered, no script, no
/// external asset; every value from a request, a job or a file is escaped.
struct HTMLPages: Sendable {
    let documents: APIDocuments
    /// The data roots' real paths: inputs are shown by their names inside a root, as the form offers them.
    let roots: [String]

    /// `path` relative to the data root holding it (as written when outside every root).
    func shown(_ path: String) -> String {
        for root in roots where path.hasPrefix(root + "/") { return String(path.dropFirst(root.count + 1)) }
        return path
    }

    /// Whether `accept` and `format` (the `f` query parameter) ask for HTML rather than JSON.
    static func wanted(accept: String?, format: String?) -> Bool {
        if let format { return format == "html" }
        guard let accept else { return false }
        let html = accept.range(of: "text/html"), json = accept.range(of: "application/json")
        return html != nil && (json == nil || html!.lowerBound < json!.lowerBound)
    }

    /// `text` with HTML's special characters escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    private static let style = """
        body{font-family:sans-serif;margin:2em auto;max-width:60em;color:#222}table{border-collapse:collapse}\
        td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}th{background:#eee}nav a{margin-right:1em}\
        .successful{color:#070}.failed{color:#b00}.running{color:#06c}img{max-width:100%;border:1px solid #ccc}
        """

    private static func page(_ title: String, _ body: String, refresh: Bool = false) -> String {
        """
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>\(escape(title)) - forecastd</title>\
        \(refresh ? "<meta http-equiv=\"refresh\" content=\"5\">" : "")<style>\(style)</style></head><body>\
        <nav><a href="/?f=html">forecastd</a><a href="/processes/forecast?f=html">New forecast</a><a href="/jobs?f=html">Jobs</a>\
        <a href="/api">API definition</a><a href="/conformance">Conformance</a></nav><h1>\(escape(title))</h1>\(body)</body></html>
        """
    }

    func landing() -> String {
        Self.page("forecastd", "<p>\(Self.escape(documents.landingPage["description"] as? String ?? ""))</p>"
                  + "<ul><li><a href=\"/processes/forecast?f=html\">Start a forecast</a></li><li><a href=\"/jobs?f=html\">Jobs</a></li>"
                  + "<li><a href=\"/api\">The API definition (OpenAPI 3.0)</a></li><li><a href=\"/conformance\">Conformance classes</a></li></ul>")
    }

    /// The forecast form: the model, init and forcing chosen among the loaded models and the data roots' files.
    func form(files: [String], error: String? = nil) -> String {
        func options(_ values: [String]) -> String { values.map { "<option>\(Self.escape($0))</option>" }.joined() }
        let body = (error.map { "<p class=\"failed\">\(Self.escape($0))</p>" } ?? "")
            + "<p>\(Self.escape(documents.processSummary["description"] as? String ?? ""))</p>"
            + "<form method=\"post\" action=\"/processes/forecast/execution\"><table>"
            + "<tr><th>Model</th><td><select name=\"model\">\(options(documents.models.sorted()))</select></td></tr>"
            + "<tr><th>Initial state</th><td><select name=\"init\">\(options(files))</select></td></tr>"
            + "<tr><th>Forcing</th><td><select name=\"forcing\">\(options(files))</select></td></tr>"
            + "<tr><th>Days</th><td><input name=\"days\" type=\"number\" min=\"1\" max=\"366\" value=\"15\"></td></tr>"
            + "</table><p><button type=\"submit\">Start the forecast</button></p></form>"
        return Self.page("New forecast", body)
    }

    func jobList(_ jobs: [StatusInfo]) -> String {
        let rows = jobs.map { job in
            "<tr><td><a href=\"/jobs/\(Self.escape(job.jobID))?f=html\">\(Self.escape(job.jobID))</a></td>"
                + "<td class=\"\(job.status.rawValue)\">\(job.status.rawValue)</td><td>\(job.progress)%</td>"
                + "<td>\(Self.escape(job.inputs.model))</td><td>\(job.days)</td><td>\(Self.escape(Self.date(job.created)))</td></tr>"
        }.joined()
        return Self.page("Jobs", jobs.isEmpty ? "<p>No jobs yet.</p>"
                         : "<table><tr><th>Job</th><th>Status</th><th>Progress</th><th>Model</th><th>Days</th><th>Created</th></tr>\(rows)</table>",
                         refresh: jobs.contains { $0.status == .accepted || $0.status == .running })
    }

    /// A job's page: state, progress, inputs, timings, message, the result and its quick-look maps.
    func job(_ job: StatusInfo) -> String {
        var rows: [(String, String)] = [("Status", "<span class=\"\(job.status.rawValue)\">\(job.status.rawValue)</span>"),
                                        ("Progress", "day \(job.day) of \(job.days) (\(job.progress)%)"),
                                        ("Model", Self.escape(job.inputs.model)), ("Initial state", Self.escape(shown(job.inputs.initial))),
                                        ("Forcing", Self.escape(shown(job.inputs.forcing))), ("Created", Self.escape(Self.date(job.created)))]
        if let message = job.message { rows.append(("Message", Self.escape(message))) }
        if let t = job.timings {
            rows.append(("Timings", String(format: "read %.2f s, fluxes %.2f s, network %.2f s, write %.2f s", t.read, t.fluxes, t.network, t.write)))
        }
        var body = "<table>" + rows.map { "<tr><th>\($0.0)</th><td>\($0.1)</td></tr>" }.joined() + "</table>"
        if job.status == .successful {
            let id = Self.escape(job.jobID)
            body += "<p><a href=\"/jobs/\(id)/results\">Download the forecast (NetCDF, \(job.resultBytes ?? 0) bytes)</a></p>"
            for (variable, depth, day) in [("thetao", "&amp;depth=0", 1), ("thetao", "&amp;depth=0", job.days), ("zos", "", job.days)] {
                body += "<h2>\(variable) day \(day)</h2><img alt=\"\(variable) day \(day)\" src=\"/jobs/\(id)/results/quicklook?var=\(variable)\(depth)&amp;day=\(day)\">"
            }
        }
        return Self.page("Job \(job.jobID)", body, refresh: job.status == .accepted || job.status == .running)
    }

    private static func date(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
