import Foundation
import HTTPTypes
import Hummingbird
import NetCDF
import NIOCore
import OceanGrid
import Surrogate
import Tensor

/// The HTTP API: OGC API - Processes for jobs (landing page, conformance, API definition: ``APIDocuments``), Open
/// Inference Protocol health checks, Prometheus metrics. HEAD works wherever GET does.
struct ServiceRoutes: Sendable {
    let store: JobStore
    let models: ModelRegistry
    let roots: DataRoots
    /// The running job, for readiness: a job held past its time limit makes the service not ready.
    let slot: ComputeSlot
    let metrics: ServiceMetrics
    /// Largest request body accepted (413 beyond).
    let maxBodyBytes: Int

    func router(token: String?) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: MetricsMiddleware())
        if let token { router.add(middleware: BearerToken(token: token)) }
        let documents = APIDocuments(models: Array(models.names))
        /// A GET route, and HEAD answering its headers (the length included) without the body.
        func get(_ path: RouterPath, _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response) {
            router.get(path, use: handler)
            router.head(path) { request, context in try await handler(request, context).createHeadResponse() }
        }
        let pages = HTMLPages(documents: documents, roots: roots.roots)
        get("/") { request, _ in try negotiated(request, html: pages.landing) { try jsonObject(documents.landingPage) } }
        get("/conformance") { _, _ in try jsonObject(documents.conformanceDeclaration) }
        get("/api") { _, _ in try jsonObject(documents.openAPI, contentType: "application/vnd.oai.openapi+json;version=3.0") }
        get("/v2/health/live") { _, _ in try json(["live": true]) }
        get("/v2/health/ready") { _, _ in
            guard models.isReady else { return try json(["ready": false], status: .serviceUnavailable) }
            if let job = slot.overdueJob {
                return try jsonObject(["ready": false, "reason": "job \(job) holds the compute slot past its time limit"],
                                      status: .serviceUnavailable)
            }
            return try json(["ready": true])
        }
        get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        get("/processes") { _, _ in try jsonObject(documents.processList) }
        get("/processes/forecast") { request, _ in
            try negotiated(request, html: { pages.form(files: roots.netCDFFiles) }) { try jsonObject(documents.processDescription) }
        }
        router.post("/processes/forecast/execution") { request, context in
            guard request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true else {
                return try await submit(request, context: context)
            }
            // The HTML form: the same request, answered with the job's page, or the form again with the problem.
            do {
                let record = try submitted(FormRequest.json(String(buffer: try await body(of: request))))
                return Response(status: .seeOther, headers: [.location: "/jobs/\(record.id)?f=html"])
            } catch let problem as Problem {
                return Response(status: problem.status, headers: [.contentType: "text/html; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: pages.form(files: roots.netCDFFiles, error: problem.detail))))
            }
        }
        get("/jobs") { request, _ in
            let jobs = store.all().map(StatusInfo.init)
            return try negotiated(request, html: { pages.jobList(jobs) }) { try json(JobList(jobs: jobs)) }
        }
        get("/jobs/:id") { request, context in
            let status = StatusInfo(try job(context))
            return try negotiated(request, html: { pages.job(status) }) { try json(status) }
        }
        router.delete("/jobs/:id") { _, context in
            let id = try job(context).id
            return try json(StatusInfo(try store.dismiss(id)))
        }
        router.get("/jobs/:id/results") { request, context in try await results(request, context: context, body: true) }
        router.head("/jobs/:id/results") { request, context in try await results(request, context: context, body: false) }
        router.get("/jobs/:id/results/quicklook") { request, context in try await quickLook(request, context: context, body: true) }
        router.head("/jobs/:id/results/quicklook") { request, context in try await quickLook(request, context: context, body: false) }
        return router
    }

    private struct JobList: Encodable {
        let jobs: [StatusInfo]
        let links: [String] = []
    }

    /// The job, which must have finished successfully (its result exists).
    private func successfulJob(_ context: BasicRequestContext) throws -> JobRecord {
        let record = try job(context)
        guard record.status == .successful else {
            throw Problem(status: .notFound, type: "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/result-not-ready",
                          detail: "job \(record.id) is \(record.status.rawValue); results exist only for successful jobs")
        }
        return record
    }

    private func job(_ context: BasicRequestContext) throws -> JobRecord {
        let id = context.parameters.get("id") ?? ""
        guard let record = store.job(id) else { throw Problem.notFound("no job '\(id)'") }
        return record
    }

    private func submit(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let record = try submitted(Data(buffer: try await body(of: request)))
        // Jobs run asynchronously only (jobControlOptions): Prefer: respond-sync is answered as the standard says for
        // such a process, with the job created; Preference-Applied names what was done when the client asked for it.
        var headers: HTTPFields = [.location: "/jobs/\(record.id)"]
        if request.headers[HTTPField.Name("Prefer")!]?.contains("respond-async") == true {
            headers[HTTPField.Name("Preference-Applied")!] = "respond-async"
        }
        return try json(StatusInfo(record), status: .created, headers: headers)
    }

    /// The request's body, refused with 413 beyond ``maxBodyBytes``.
    private func body(of request: Request) async throws -> ByteBuffer {
        do { return try await request.body.collect(upTo: maxBodyBytes) } catch is NIOTooManyBytesError {
            throw Problem(status: .contentTooLarge, type: "about:blank", detail: "the request body is over \(maxBodyBytes) bytes")
        }
    }

    /// The job an execution request's body creates, or the problem with it.
    private func submitted(_ body: Data) throws -> JobRecord {
        let inputs = try ExecutionRequest.parse(body, models: models.names, roots: roots)
        do { return try store.submit(inputs) } catch JobStoreError.queueFull(let limit, let retry) {
            var problem = Problem(status: .tooManyRequests, type: "about:blank",
                                  detail: "the queue holds \(limit) waiting jobs, its limit; try again later")
            problem.headers[.retryAfter] = "\(retry)"
            throw problem
        } catch JobStoreError.draining {
            var problem = Problem(status: .serviceUnavailable, type: "about:blank", detail: "the service is shutting down and takes no new jobs")
            problem.headers[.retryAfter] = "30"
            throw problem
        }
    }

    /// The result file of a successful job that `request` selects: the forecast; for an ensemble, `member=K`
    /// (from 1) or `statistic=mean|spread`, else, with `defaultMember`, member 1, else nil (the ensemble's list).
    private func resultFile(_ record: JobRecord, _ request: Request, defaultMember: Bool) throws -> (path: String, name: String)? {
        let query = request.uri.queryParameters, ensemble = record.inputs.ensemble
        let member = query["member"].map(String.init), statistic = query["statistic"].map(String.init)
        let outputs = ensemble.outputs(store.resultPath(record.id))
        guard ensemble.members > 1 else {
            guard member == nil, statistic == nil else { throw Problem.badRequest("job \(record.id) is not an ensemble: it has one result", field: "member") }
            return (outputs[0].path, "forecast-\(record.id).nc")
        }
        let kind: EnsembleOptions.OutputKind
        switch (member, statistic) {
        case (let text?, nil):
            guard let k = Int(text), (1...ensemble.members).contains(k) else {
                throw Problem.badRequest("member is 1 to \(ensemble.members); got '\(text)'", field: "member")
            }
            kind = .member(k - 1)
        case (nil, let text?):
            guard let s = Rollout.Statistic(rawValue: text), ensemble.statistics else {
                throw Problem.badRequest("statistic is " + (ensemble.statistics ? "mean or spread; got '\(text)'" : "not available: the job did not ask for ensemble_statistics"), field: "statistic")
            }
            kind = .statistic(s)
        case (nil, nil):
            guard defaultMember else { return nil }
            kind = .member(0)
        default: throw Problem.badRequest("give member or statistic, not both", field: "member")
        }
        let path = outputs.first { $0.kind == kind }!.path
        return (path, "forecast-\(record.id)-" + (path as NSString).lastPathComponent.dropFirst(record.id.count + 1))
    }

    /// An ensemble job's results: a link to each member's file and to the statistics (OGC's document of links).
    private func ensembleResults(_ record: JobRecord) throws -> Response {
        let ensemble = record.inputs.ensemble, base = "/jobs/\(record.id)/results"
        func link(_ query: String, _ title: String) -> [String: Any] {
            ["href": "\(base)?\(query)", "rel": "enclosure", "type": "application/x-netcdf", "title": title]
        }
        var links = (1...ensemble.members).map { link("member=\($0)", "member \($0) of \(ensemble.members)") }
        if ensemble.statistics { links += [link("statistic=mean", "ensemble mean"), link("statistic=spread", "ensemble spread (standard deviation)")] }
        return try jsonObject(["members": ensemble.members, "links": links])
    }

    /// The result file of a successful job: whole, or one byte range (`Range`, honoured only when `If-Range`, if
    /// sent, names the current version by its ETag or Last-Modified); without `body` (HEAD) only the headers. An
    /// ensemble's file is chosen by `member=K` or `statistic=mean|spread`; without either, its list of links.
    private func results(_ request: Request, context: BasicRequestContext, body: Bool) async throws -> Response {
        let record = try successfulJob(context)
        guard let (path, name) = try resultFile(record, request, defaultMember: false) else { return try ensembleResults(record) }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = attributes[.size] as? Int,
              let modified = attributes[.modificationDate] as? Date else {
            throw Problem.notFound("the result of job \(record.id) is gone")
        }
        let etag = "\"\(record.id)-\(size)-\(Int(modified.timeIntervalSince1970 * 1000))\""
        let lastModified = Self.httpDate(modified)
        var headers: HTTPFields = [.contentType: "application/x-netcdf", .acceptRanges: "bytes", .eTag: etag,
                                   .lastModified: lastModified,
                                   .contentDisposition: "attachment; filename=\"\(name)\""]
        let current = request.headers[.ifRange].map { $0 == etag || $0 == lastModified } ?? true
        let fileIO = FileIO()
        switch current ? ByteRange(header: request.headers[.range], size: size) : .whole {
        case .whole:
            headers[.contentLength] = "\(size)"
            return Response(status: .ok, headers: headers,
                            body: body ? try await fileIO.loadFile(path: path, context: context) : .init())
        case .part(let range):
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            headers[.contentLength] = "\(range.count)"
            return Response(status: .partialContent, headers: headers,
                            body: body ? try await fileIO.loadFile(path: path, range: range, context: context) : .init())
        case .unsatisfiable:
            var problem = Problem(status: .rangeNotSatisfiable, type: "about:blank", detail: "the result has \(size) bytes")
            problem.headers[.contentRange] = "bytes */\(size)"
            throw problem
        }
    }

    /// A PNG map of one field of a successful job's result (`var`, `depth` in m, default 0, and `day`, the lead
    /// day, default 1, or `time`, an index or a date), drawn as `forecastd plot` draws it; of an ensemble's member 1
    /// unless `member` or `statistic` says otherwise. The result is this service's own output, so it is read in this
    /// process, off the event loop.
    private func quickLook(_ request: Request, context: BasicRequestContext, body: Bool) async throws -> Response {
        let record = try successfulJob(context)
        let query = request.uri.queryParameters
        guard let variable = query["var"].map(String.init), !variable.isEmpty else {
            throw Problem.badRequest("name the variable to draw: ?var=thetao (also depth=METRES, day=LEAD_DAY or time=INDEX|DATE)", field: "var")
        }
        let depth = try query["depth"].map { text in
            guard let d = Double(String(text)), d >= 0, d.isFinite else { throw Problem.badRequest("depth is metres, 0 or more; got '\(text)'", field: "depth") }
            return d
        }
        let choice: TimeChoice
        switch (query["day"].map(String.init), query["time"].map(String.init)) {
        case (let day?, nil):
            guard let d = Int(day), d >= 1 else { throw Problem.badRequest("day is a lead day from 1; got '\(day)'", field: "day") }
            choice = .leadDay(d)
        case (nil, let time?):
            guard let t = TimeChoice(parsing: time) else { throw Problem.badRequest("time is an index from 0 or a date; got '\(time)'", field: "time") }
            choice = t
        case (nil, nil): choice = .leadDay(1)
        default: throw Problem.badRequest("give day or time, not both", field: "day")
        }
        let path = try resultFile(record, request, defaultMember: true)!.path
        let png: Data
        do {
            png = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(with: Result { try QuickLook.png(path: path, variable: variable, depth: depth, time: choice) })
                }
            }
        } catch let error as FieldSelectionError {
            throw Problem.badRequest("\(error)".replacingOccurrences(of: path, with: "the result of job \(record.id)"))
        } catch NetCDFError.fileMissing {
            throw Problem.notFound("the result of job \(record.id) is gone")
        }
        let headers: HTTPFields = [.contentType: "image/png", .contentLength: "\(png.count)"]
        return Response(status: .ok, headers: headers, body: body ? .init(byteBuffer: ByteBuffer(bytes: png)) : .init())
    }

    /// An IMF-fixdate (RFC 9110), as Last-Modified carries it.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}

private let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
}()

/// A JSON response from an `Encodable` value.
private func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
    var headers = headers
    headers[.contentType] = "application/json"
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
}

/// A JSON response from a JSONSerialization-compatible value.
private func jsonObject(_ value: [String: Any], status: HTTPResponse.Status = .ok, contentType: String = "application/json") throws -> Response {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
    return Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// HTML for a browser (`Accept: text/html` or `?f=html`), JSON otherwise.
private func negotiated(_ request: Request, html: () throws -> String, json: () throws -> Response) throws -> Response {
    guard HTMLPages.wanted(accept: request.headers[.accept], format: request.uri.queryParameters["f"].map(String.init)) else {
        return try json()
    }
    return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: try html())))
}
