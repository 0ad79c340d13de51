import Surrogate
import Tensor

/// The documents OGC API - Processes - Part 1: Core asks of a server besides its jobs: the landing page, the
/// conformance declaration, the API definition (OpenAPI 3.0) and the process list and description.
struct APIDocuments: Sendable {
    /// The models a job may name.
    let models: [String]

    /// The conformance classes implemented, each covered by a test of the routes it requires.
    static let conformance = ["core", "json", "html", "oas30", "job-list", "dismiss", "ogc-process-description"]
        .map { "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/\($0)" }

    private static func link(_ href: String, _ rel: String, _ type: String, _ title: String) -> [String: Any] {
        ["href": href, "rel": rel, "type": type, "title": title]
    }

    var landingPage: [String: Any] {
        ["title": "forecastd", "description": "Data-driven ocean forecasts (thetao, so, uo, vo, zos) as OGC API - Processes jobs.",
         "links": [
            Self.link("/", "self", "application/json", "This document"),
            Self.link("/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "The API definition"),
            Self.link("/conformance", "http://www.opengis.net/def/rel/ogc/1.0/conformance", "application/json", "Conformance classes"),
            Self.link("/processes", "http://www.opengis.net/def/rel/ogc/1.0/processes", "application/json", "Processes"),
            Self.link("/jobs", "http://www.opengis.net/def/rel/ogc/1.0/job-list", "application/json", "Jobs"),
         ]]
    }

    var conformanceDeclaration: [String: Any] { ["conformsTo": Self.conformance] }

    var processSummary: [String: Any] {
        ["id": "forecast", "title": "Ocean forecast", "version": "1",
         "description": "A daily forecast of thetao, so, uo, vo and zos from an initial state and atmospheric forcing.",
         "jobControlOptions": ["async-execute", "dismiss"], "outputTransmission": ["reference"],
         "links": [["href": "/processes/forecast", "rel": "self", "type": "application/json"],
                   ["href": "/processes/forecast/execution", "rel": "http://www.opengis.net/def/rel/ogc/1.0/execute",
                    "type": "application/json"]]]
    }

    var processList: [String: Any] {
        ["processes": [processSummary], "links": [["href": "/processes", "rel": "self", "type": "application/json"]]]
    }

    var processDescription: [String: Any] {
        var description = processSummary
        description["inputs"] = inputs
        description["outputs"] = ["forecast": ["schema": ["type": "string", "contentMediaType": "application/x-netcdf"]]]
        return description
    }

    /// The names of the execution request's inputs: any other is refused.
    static let inputNames = Set(APIDocuments(models: []).inputs.keys)

    /// The execution request's inputs, as the process description and the API definition give them.
    var inputs: [String: Any] {
        ["model": ["title": "Loaded model", "schema": ["type": "string", "enum": models.sorted()]],
         "init": ["title": "Initial state (CF NetCDF) inside a data root", "schema": ["type": "string"]],
         "forcing": ["title": "Daily atmospheric forcing (CF NetCDF) inside a data root", "schema": ["type": "string"]],
         "days": ["schema": ["type": "integer", "minimum": 1, "maximum": 366, "default": 15]],
         "start": ["title": "The init's time to start from, when it holds several", "schema": ["type": "string"]],
         "deflate": ["schema": ["type": "integer", "minimum": 0, "maximum": 9, "default": 1]],
         "pack": ["schema": ["type": "string", "enum": ["int16"]]],
         "quantize": ["title": "Significant bits kept (BitRound): one number, or one per variable",
                      "schema": ["oneOf": [["type": "integer", "minimum": 1, "maximum": 23],
                                           ["type": "object", "additionalProperties": ["type": "integer", "minimum": 1, "maximum": 23]]]]],
         "accumulation_period": ["title": "What the forcing's accumulated fields (J m-2, m) sum over, e.g. 1h, when its cell_methods does not say",
                                 "schema": ["type": "string", "pattern": "^[0-9.]+ ?(s|min|h|d)$"]],
         "forcing_mode": ["schema": ["type": "string", "enum": ["strict", "persist", "climatology"], "default": "strict"]],
         "variables": ["schema": ["type": "object", "additionalProperties": ["type": "string"]]],
         "members": ["title": "Members of an ensemble forecast (1: deterministic)",
                     "schema": ["type": "integer", "minimum": EnsembleOptions.memberRange.lowerBound, "maximum": EnsembleOptions.memberRange.upperBound, "default": 1]],
         "perturbation": ["title": "How members are set apart", "schema": ["type": "string", "enum": Perturbation.allCases.map(\.rawValue), "default": "gaussian"]],
         "seed": ["title": "Seed of the perturbations", "schema": ["type": "integer", "minimum": 0, "default": 1]],
         "perturbation_scale": ["title": "Size of the perturbations, in units of the model's daily change: one number, or one per variable",
                                "schema": ["oneOf": [["type": "number", "minimum": 0, "maximum": 100, "default": 1],
                                                     ["type": "object", "additionalProperties": ["type": "number", "minimum": 0, "maximum": 100]]]]],
         "ensemble_statistics": ["title": "Also write the ensemble mean and spread", "schema": ["type": "boolean", "default": false]],
         "precision": ["title": "The network's precision (default: the service's --precision, else the model's declared one, else fp32)",
                       "schema": ["type": "string", "enum": PrecisionChoice.allCases.map(\.rawValue)]]]
    }

    /// The OpenAPI 3.0 definition of every route.
    var openAPI: [String: Any] {
        func json(_ description: String) -> [String: Any] {
            ["description": description, "content": ["application/json": ["schema": ["type": "object"]]]]
        }
        let problem: [String: Any] = ["description": "A problem document (RFC 9457)",
                                      "content": ["application/problem+json": ["schema": ["type": "object"]]]]
        let jobID: [String: Any] = ["name": "jobId", "in": "path", "required": true, "schema": ["type": "string"]]
        func get(_ summary: String, _ responses: [String: Any], parameters: [[String: Any]] = []) -> [String: Any] {
            ["summary": summary, "parameters": parameters, "responses": responses]
        }
        let quicklookParameters: [[String: Any]] = [jobID] + [
            ("var", "string", true, "The variable to draw"), ("depth", "number", false, "Depth in m (the nearest level; default 0)"),
            ("day", "integer", false, "Lead day (default 1)"), ("time", "string", false, "A time index or date instead of day"),
        ].map { ["name": $0.0, "in": "query", "required": $0.2, "description": $0.3, "schema": ["type": $0.1]] }
        let result: [String: Any] = ["description": "The forecast", "content": ["application/x-netcdf": ["schema": ["type": "string", "format": "binary"]]]]
        return [
            "openapi": "3.0.3",
            "info": ["title": "forecastd", "version": "1",
                     "description": "OGC API - Processes - Part 1: Core for ocean forecasts, with Open Inference Protocol health checks and Prometheus metrics."],
            "paths": [
                "/": ["get": get("Landing page", ["200": json("Links to the API definition, conformance, processes and jobs")])],
                "/api": ["get": get("This API definition", ["200": ["description": "OpenAPI 3.0",
                                                                     "content": ["application/vnd.oai.openapi+json;version=3.0": ["schema": ["type": "object"]]]]])],
                "/conformance": ["get": get("Conformance classes implemented", ["200": json("conformsTo")])],
                "/processes": ["get": get("The processes", ["200": json("The process list")])],
                "/processes/forecast": ["get": get("The forecast process's description", ["200": json("Inputs and outputs")])],
                "/processes/forecast/execution": ["post": [
                    "summary": "Submit a forecast job (asynchronous only: Prefer respond-sync is answered as respond-async)",
                    "requestBody": ["required": true, "content": ["application/json": ["schema": [
                        "type": "object", "required": ["inputs"],
                        "properties": ["inputs": ["type": "object", "required": ["model", "init", "forcing"], "properties": inputs.mapValues { ($0 as? [String: Any])?["schema"] ?? [:] }]]]]]],
                    "responses": ["201": json("The job's statusInfo; Location names it"), "400": problem, "403": problem, "413": problem,
                                  "429": problem, "503": problem]]],
                "/jobs": ["get": get("Every job's statusInfo", ["200": json("The job list")])],
                "/jobs/{jobId}": [
                    "get": get("A job's statusInfo", ["200": json("statusInfo"), "404": problem], parameters: [jobID]),
                    "delete": get("Dismiss a job (cancel it if it runs)", ["200": json("statusInfo"), "404": problem], parameters: [jobID])],
                "/jobs/{jobId}/results": ["get": get("The forecast file (byte ranges honoured)",
                                                     ["200": result, "206": result, "404": problem, "416": problem], parameters: [jobID])],
                "/jobs/{jobId}/results/quicklook": ["get": get("A PNG map of one field of the result",
                                                               ["200": ["description": "The map", "content": ["image/png": ["schema": ["type": "string", "format": "binary"]]]],
                                                                "400": problem, "404": problem], parameters: quicklookParameters)],
                "/v2/health/live": ["get": get("Liveness", ["200": json("live")])],
                "/v2/health/ready": ["get": get("Readiness: models loaded and no job stuck", ["200": json("ready"), "503": json("not ready and why")])],
                "/metrics": ["get": get("Prometheus metrics", ["200": ["description": "Text exposition format",
                                                                       "content": ["text/plain": ["schema": ["type": "string"]]]]])],
            ],
        ]
    }
}
