import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport

/// A `forecastd serve` process on a loopback port chosen by the system, and an HTTP client for it.
final class ServerProcess {
    let process: Process
    let stateFolder: String
    let dataRoot: String
    let extra: [String]
    let port: Int
    let log: String
    var token: String?

    /// Starts the server on weights-sample (model name `sample`) with `dataRoot` and waits until it is ready.
    init(stateFolder: String, dataRoot: String, extra: [String] = []) throws {
        self.stateFolder = stateFolder
        self.dataRoot = dataRoot
        self.extra = extra
        log = stateFolder + ".log"
        try? FileManager.default.removeItem(atPath: stateFolder + "/server.json")
        FileManager.default.createFile(atPath: log, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Scratch.forecastd!)
        process.arguments = ["serve", "--model", "sample=" + Scratch.repository + "/weights-sample", "--data-root", dataRoot,
                             "--state-dir", stateFolder, "--port", "0", "--threads", "2"] + extra
        let handle = FileHandle(forWritingAtPath: log)!
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        var found: Int?
        for _ in 0..<600 where found == nil {
            if let data = FileManager.default.contents(atPath: stateFolder + "/server.json"),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               object["pid"] as? Int == Int(process.processIdentifier) {
                found = object["port"] as? Int
            } else {
                guard process.isRunning else { break }
                usleep(20_000)
            }
        }
        guard let found else { throw ServerError.didNotStart(try String(contentsOfFile: log, encoding: .utf8)) }
        port = found
    }

    /// A server on a new scratch folder (`FOLDER/data` holding weights-sample's init and forcing, `FOLDER/state`).
    static func fresh(_ label: String = #function, extra: [String] = [], prepare: (String) throws -> Void = { _ in }) throws -> ServerProcess {
        let folder = try Scratch.folder(label)
        let root = try sampleDataRoot(folder)
        try prepare(folder)
        return try ServerProcess(stateFolder: folder + "/state", dataRoot: root, extra: extra)
    }

    /// The scratch folder `fresh` made.
    var folder: String { (stateFolder as NSString).deletingLastPathComponent }

    /// A new server process on the same state folder, data root and options (after this one has ended).
    func restarted() throws -> ServerProcess { try ServerProcess(stateFolder: stateFolder, dataRoot: dataRoot, extra: extra) }

    enum ServerError: Error { case didNotStart(String), timedOut(String) }

    /// A response: status, headers (lower-cased names), body.
    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    func request(_ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var lowered: [String: String] = [:]
        for (name, value) in http.allHeaderFields { lowered[String(describing: name).lowercased()] = String(describing: value) }
        return Reply(status: http.statusCode, headers: lowered, body: data)
    }

    /// Submits a forecast of weights-sample's data and returns the job id.
    func submit(days: Int, extra: String = "") async throws -> String {
        let reply = try await request("POST", "/processes/forecast/execution", body: """
            {"inputs": {"model": "sample", "init": "init.nc", "forcing": "forcing.nc", "days": \(days)\(extra)}}
            """)
        guard reply.status == 201, let id = reply.json["jobID"] as? String else {
            throw ServerError.didNotStart("submit: \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        }
        return id
    }

    /// Polls `/v2/health/ready` until it answers 200 (the models are loaded: a busy machine takes longer) or
    /// `seconds` have passed; returns the status of a request made after the last wait, so that a test task
    /// starved past the deadline (other tests' blocking work holding the few cooperative threads of a 2-core
    /// machine) still asks the server once more instead of returning the answer from before it slept.
    func readiness(seconds: Double = 180) async throws -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            // The deadline is read before the request: a task starved while its request was in flight (a 503 from
            // before the models loaded, resumed minutes later) asks again instead of returning that old answer.
            let late = Date() >= deadline
            let status = try await request("GET", "/v2/health/ready").status
            if status == 200 || late { return status }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// Polls a job until `condition` holds for its status document.
    @discardableResult
    func wait(for id: String, seconds: Double = 120, until condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let job = try await request("GET", "/jobs/\(id)").json
            if condition(job) { return job }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw ServerError.timedOut("job \(id): \(try await request("GET", "/jobs/\(id)").json)")
    }

    /// Sends `signal` and waits for the process to end; returns its exit status.
    @discardableResult
    func stop(_ signal: Int32) -> Int32 {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}

/// A data root holding weights-sample's init and forcing files (copies, so tests can add files beside them).
func sampleDataRoot(_ folder: String) throws -> String {
    let root = folder + "/data"
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    for name in ["init.nc", "forcing.nc"] {
        try FileManager.default.copyItem(atPath: Scratch.repository + "/weights-sample/data/" + name, toPath: root + "/" + name)
    }
    return root
}
