import Foundation
import Logging
import NetCDF
import OceanGrid
import Surrogate
import ServiceLifecycle
import Tensor

/// The worker: loads the models, then runs queued jobs one at a time, each on its own thread with the whole
/// compute pool. On graceful shutdown it stops taking jobs; the running forecast finishes its current day and
/// goes back to the queue (it runs again when the service next starts), and the worker returns.
final class JobRunner: Service {
    let store: JobStore
    let models: ModelRegistry
    let pool: ThreadPool
    let metrics: ServiceMetrics
    let logger: Logger
    /// Reads each job's input files in a child process first, so that a damaged file cannot crash the service.
    let probe: InputProbe?
    /// Where job inputs may lie; each is opened once when its job starts and checked again there.
    let roots: DataRoots
    /// Seconds a job may run; it is stopped and failed at the first day boundary past them.
    let timeLimit: Double
    let slot: ComputeSlot

    init(store: JobStore, models: ModelRegistry, pool: ThreadPool, probe: InputProbe?, roots: DataRoots, timeLimit: Double,
         slot: ComputeSlot, metrics: ServiceMetrics, logger: Logger) {
        self.store = store
        self.models = models
        self.pool = pool
        self.probe = probe
        self.roots = roots
        self.timeLimit = timeLimit
        self.slot = slot
        self.metrics = metrics
        self.logger = logger
    }

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await onThread { [models, pool] in try models.loadAll(pool: pool) }
            metrics.recordModelsReady()
            logger.info("models loaded", metadata: ["models": "\(models.names.sorted().joined(separator: ","))"])
            for await _ in store.wakeUps() {
                while let job = try store.startNext() {
                    try await onThread { [self] in self.execute(job) }
                }
            }
        } onGracefulShutdown: { [store, logger] in
            logger.info("draining: no new jobs; the running job stops after its current day")
            store.drain()
        }
    }

    /// Runs one job to its end and records the outcome; never throws (a job's failure is the job's state).
    private func execute(_ job: JobRecord) {
        let inputs = job.inputs
        let started = Date()
        logger.info("job started", metadata: ["job": "\(job.id)", "attempt": "\(job.attempts)"])
        let outcome: JobOutcome
        let deadline = started.addingTimeInterval(timeLimit)
        slot.take(job.id, deadline: deadline)
        defer { slot.release() }
        var opened: [OpenedInput] = []
        do {
            guard let model = try models.model(inputs.model, precision: inputs.precision, pool: pool) else { throw JobRunnerError.modelNotLoaded(inputs.model) }
            var request = try inputs.request(modelFolder: model.folder, output: store.resultPath(job.id))
            request.history = ISO8601DateFormatter().string(from: started) + ": forecastd serve, job \(job.id)"
            opened = [try OpenedInput(inputs.initial, field: "init", roots: roots), try OpenedInput(inputs.forcing, field: "forcing", roots: roots)]
            (request.initial, request.forcing) = (opened[0].path, opened[1].path)
            let summary = try ForecastJob.run(request, model: model, pool: pool, probe: probe,
                                              shouldStop: { [store] in store.shouldStop(job.id) || Date() > deadline },
                                              progress: { [store, metrics] day in
                metrics.recordDay(seconds: day.timings.total)
                try? store.progress(job.id, day: day.day)
            })
            let bytes = summary.outputs.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
            outcome = .successful(summary.timings, bytes: bytes)
        } catch ForecastError.interrupted(_, let day) where Date() > deadline {
            outcome = .failed("stopped before day \(day): the job ran past its time limit of \(Int(timeLimit)) s")
        } catch ForecastError.interrupted(_, let day) {
            outcome = .stopped(day: day)
        } catch {
            outcome = .failed(opened.reduce("\(error)") { $1.reword($0) })
        }
        do {
            try store.finish(job.id, outcome: outcome)
        } catch {
            logger.error("cannot record the end of a job", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
        logger.info("job ended", metadata: ["job": "\(job.id)", "status": "\(store.job(job.id)?.status.rawValue ?? "?")",
                                            "seconds": "\(String(format: "%.3f", Date().timeIntervalSince(started)))"])
    }
}

/// Why the worker cannot start a job.
enum JobRunnerError: Error, CustomStringConvertible {
    /// The job names a model that was not loaded (the service was restarted without it).
    case modelNotLoaded(String)
    /// An input file changed between submission and start: gone, replaced by something that is not a regular
    /// file, or moved out of the data roots.
    case inputUnavailable(field: String, path: String, reason: String)

    var description: String {
        switch self {
        case .modelNotLoaded(let name): "model '\(name)' is not loaded"
        case .inputUnavailable(let field, let path, let reason): "\(field) \(path) \(reason) (it changed after the job was submitted)"
        }
    }
}

/// Runs `body` on a new thread with an 8 MiB stack, so that a forecast never blocks the async executors.
func onThread(_ body: @escaping @Sendable () throws -> Void) async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        let thread = Thread {
            do { try body(); continuation.resume() } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
