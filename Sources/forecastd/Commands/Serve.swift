import ArgumentParser
import ForecastService
import Foundation

/// `forecastd serve`: the daemon with a job API.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve forecasts over HTTP: models kept loaded, a persistent job queue, OGC API - Processes.",
        discussion: """
            Endpoints: GET /processes, POST /processes/forecast/execution, GET /jobs, GET /jobs/{id}, \
            GET /jobs/{id}/results (Range supported), DELETE /jobs/{id}, GET /v2/health/live, GET /v2/health/ready, \
            GET /metrics. Job state lives in --state-dir (an fsynced journal); after a crash, jobs that were running \
            are queued again (failed after 3 starts). SIGTERM drains: no new jobs, the running day finishes.
            """
    )

    @Option(name: .customLong("model"), help: "Model folder, or NAME=FOLDER (repeatable); the name defaults to the folder's name.")
    var models: [String]

    @Option(name: .customLong("data-root"), help: "Folder that job inputs may be read from (repeatable).")
    var dataRoots: [String]

    @Option(help: "Folder for the job journal and results (created if absent).")
    var stateDir: String

    @Option(help: "Address to listen on (loopback by default).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port; the port is written to STATE_DIR/server.json).")
    var port = 8080

    @Option(help: "File holding the bearer token every request but the health checks must carry.")
    var tokenFile: String?

    @Option(help: "Waiting jobs beyond which submissions are refused with 429.")
    var queueLimit = 16

    @Option(help: "Seconds a job may run; past them it is stopped at its next day boundary and failed, and readiness reports not-ready while it still holds the compute slot.")
    var jobTimeLimit: Double = 6 * 3600

    @OptionGroup var precision: PrecisionOption

    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard jobTimeLimit > 0, jobTimeLimit.isFinite else {
            throw ValidationError("--job-time-limit must be a positive number of seconds, got \(jobTimeLimit)")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535, got \(port)") }
        guard queueLimit >= 1 else { throw ValidationError("--queue-limit must be at least 1, got \(queueLimit)") }
        _ = try modelFolders()
    }

    /// Name -> folder from the --model options.
    func modelFolders() throws -> [String: String] {
        var folders: [String: String] = [:]
        for entry in models {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let folder = parts.count == 2 ? parts[1] : entry
            let name = parts.count == 2 ? parts[0] : URL(fileURLWithPath: folder).lastPathComponent
            guard !name.isEmpty, folders[name] == nil else { throw ValidationError("--model: the name '\(name)' is empty or given twice") }
            folders[name] = folder
        }
        return folders
    }

    func run() async throws {
        var configuration = ServerConfiguration(models: try modelFolders(), dataRoots: dataRoots, stateFolder: stateDir)
        configuration.host = host
        configuration.port = port
        configuration.queueLimit = queueLimit
        configuration.probe = Probe.child
        configuration.jobTimeLimit = jobTimeLimit
        configuration.precision = precision.precision
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                FileHandle.standardError.write(Data("forecastd: \(tokenFile): cannot read the token file\n".utf8))
                throw ExitCode(Sysexit.noInput.rawValue)
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw ValidationError("--token-file \(tokenFile) is empty") }
            configuration.token = token
        }
        do {
            try await ForecastServer.run(configuration, pool: compute.pool)
        } catch {
            FileHandle.standardError.write(Data("forecastd: \(error)\n".utf8))
            throw ExitCode(Sysexit.of(error).rawValue)
        }
    }
}
