import Foundation
import NetCDF
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Tensor

/// How `forecastd serve` was asked to run.
public struct ServerConfiguration: Sendable {
    /// Model name -> folder.
    public var models: [String: String]
    public var dataRoots: [String]
    /// Where the job journal and results live.
    public var stateFolder: String
    public var host = "127.0.0.1"
    public var port = 8080
    /// The bearer token every request but the health checks must carry; nil for none.
    public var token: String?
    /// Waiting jobs beyond which submissions get 429.
    public var queueLimit = 16
    /// Largest request body (413 beyond).
    public var maxBodyBytes = 64 * 1024
    /// Starts of one job (each interrupted by the service stopping) after which it is failed, not queued again.
    public var maxAttempts = 3
    /// Reads each job's input files in a child process before the service opens them; nil reads them in-process.
    public var probe: InputProbe?
    /// Seconds a job may run before it is stopped (at its next day boundary) and failed.
    public var jobTimeLimit: Double = 6 * 3600
    /// The network's precision for jobs that do not choose one (nil: each model's declared one, else fp32).
    public var precision: PrecisionChoice?

    public init(models: [String: String], dataRoots: [String], stateFolder: String) {
        self.models = models
        self.dataRoots = dataRoots
        self.stateFolder = stateFolder
    }
}

/// `forecastd serve`: the HTTP server and the job worker as one service group. SIGTERM and SIGINT drain it:
/// the worker stops taking jobs and the running forecast stops after its current day (it is queued again for
/// the next start), then the server finishes the requests in flight and closes.
public enum ForecastServer {
    public static func run(_ configuration: ServerConfiguration, pool: ThreadPool) async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let logger = Logger(label: "forecastd.serve")
        do {
            try FileManager.default.createDirectory(atPath: configuration.stateFolder, withIntermediateDirectories: true)
        } catch {
            throw ServiceStartError.stateFolderUnusable(configuration.stateFolder, "\(error.localizedDescription)")
        }
        let lock = try StateFolderLock(folder: configuration.stateFolder)
        defer { withExtendedLifetime(lock) {} }
        let metrics = ServiceMetrics()
        let store = try JobStore(stateFolder: configuration.stateFolder, queueLimit: configuration.queueLimit,
                                 maxAttempts: configuration.maxAttempts, metrics: metrics, logger: logger)
        let models = ModelRegistry(folders: configuration.models, precision: configuration.precision)
        let roots = try DataRoots(configuration.dataRoots), slot = ComputeSlot()
        let routes = ServiceRoutes(store: store, models: models, roots: roots, slot: slot,
                                   metrics: metrics, maxBodyBytes: configuration.maxBodyBytes)
        if configuration.token == nil && !["127.0.0.1", "::1", "localhost"].contains(configuration.host) {
            logger.warning("listening beyond loopback without a bearer token: anyone who reaches the port can submit jobs",
                           metadata: ["host": "\(configuration.host)"])
        }
        let announcement = (configuration.stateFolder as NSString).appendingPathComponent("server.json")
        let application = Application(
            router: routes.router(token: configuration.token),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "forecastd"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                Self.announce(path: announcement, host: configuration.host, port: port)
                logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
            },
            logger: logger
        )
        let runner = JobRunner(store: store, models: models, pool: pool, probe: configuration.probe, roots: roots,
                               timeLimit: configuration.jobTimeLimit, slot: slot, metrics: metrics, logger: logger)
        // Shut down in reverse order: the worker drains first while the server still answers status requests.
        let group = ServiceGroup(configuration: .init(services: [.init(service: application), .init(service: runner)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        try? FileManager.default.removeItem(atPath: announcement)
    }

    /// Writes `server.json` (pid, host, port) into the state folder, atomically, for scripts and tests.
    private static func announce(path: String, host: String, port: Int) {
        let object: [String: Any] = ["pid": Int(getpid()), "host": host, "port": port]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        try? data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
