import Foundation
import Logging
import OceanGrid
import Surrogate

/// Every job the service knows: the state machine (``JobQueue``) behind one lock, its journal, the results
/// folder, the Retry-After estimate and the job gauges. Each change is written to the journal before it is
/// visible, so a crash at any moment leaves a state a restart can recover.
///
/// On opening, every stored record goes through ``JobQueue/recovered(_:maxAttempts:resultExists:resultPath:at:)``
/// and files in the results folder that belong to no successful job (a forecast's unfinished temporary file, a
/// dismissed job's result) are deleted.
///
/// `@unchecked Sendable`: every mutable field is guarded by `lock`.
final class JobStore: @unchecked Sendable {
    /// Where results live: `results/ID.nc` in the state folder.
    let resultsFolder: String
    let queueLimit: Int
    let maxAttempts: Int
    private let journal: JobJournal
    private let lock = NSLock()
    private var queue = JobQueue()
    private var retry = RetryEstimator()
    private var wakeUp: AsyncStream<Void>.Continuation?
    private let metrics: ServiceMetrics

    init(stateFolder: String, queueLimit: Int, maxAttempts: Int = 3, metrics: ServiceMetrics, logger: Logger) throws {
        resultsFolder = (stateFolder as NSString).appendingPathComponent("results")
        try FileManager.default.createDirectory(atPath: resultsFolder, withIntermediateDirectories: true)
        self.queueLimit = queueLimit
        self.maxAttempts = maxAttempts
        self.metrics = metrics
        let (journal, stored) = try JobJournal.open(folder: stateFolder)
        self.journal = journal
        if journal.skippedLines > 0 {
            logger.warning("skipped unreadable journal lines", metadata: ["path": "\(journal.path)", "lines": "\(journal.skippedLines)"])
        }
        for record in stored {
            let paths = resultPaths(record), missing = paths.first { !FileManager.default.fileExists(atPath: $0) }
            if let changed = JobQueue.recovered(record, maxAttempts: maxAttempts, resultExists: missing == nil,
                                                resultPath: missing ?? paths[0], at: Date()) {
                try journal.append(changed)
                queue.apply(changed)
            } else {
                queue.apply(record)
            }
        }
        removeStrayResults()
        updateGauges()
    }

    /// The path of a job's result file.
    func resultPath(_ id: String) -> String { (resultsFolder as NSString).appendingPathComponent(id + ".nc") }

    /// Every result file of a job: `resultPath` for a single forecast; an ensemble's members (and statistics) beside it.
    func resultPaths(_ record: JobRecord) -> [String] { record.inputs.ensemble.outputs(resultPath(record.id)).map(\.path) }

    /// All jobs, oldest first.
    func all() -> [JobRecord] { lock.withLock { queue.all } }

    func job(_ id: String) -> JobRecord? { lock.withLock { queue.records[id] } }

    /// Queues a new job.
    func submit(_ inputs: JobInputs) throws -> JobRecord {
        let record = try commit {
            do {
                return try queue.submission(inputs, id: UUID().uuidString.lowercased(), at: Date(), limit: queueLimit)
            } catch JobStoreError.queueFull(let limit, _) {
                throw JobStoreError.queueFull(limit: limit, retryAfterSeconds: retry.retryAfter(waiting: queue.waiting))
            }
        }
        wakeUp?.yield()
        return record
    }

    /// A stream that yields whenever a job may have become runnable; ends when the service drains.
    func wakeUps() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        lock.withLock { wakeUp = continuation }
        continuation.yield()
        return stream
    }

    /// Takes the oldest waiting job and marks it running; nil when none waits or the service drains.
    func startNext() throws -> JobRecord? {
        let record: JobRecord? = try lock.withLock {
            guard let record = queue.start(at: Date()) else { return nil }
            try journal.append(record)
            queue.apply(record)
            return record
        }
        updateGauges()
        return record
    }

    /// Records that a running job finished day `day`.
    func progress(_ id: String, day: Int) throws {
        try commit { try queue.progress(id, day: day, at: Date()) }
    }

    /// Whether the worker should stop `id` before its next day: it was dismissed or the service drains.
    func shouldStop(_ id: String) -> Bool { lock.withLock { queue.draining || queue.cancelled.contains(id) } }

    /// Ends a running job: successful with its timings, or stopped (dismissed, re-queued for the next start,
    /// or failed with `message`).
    func finish(_ id: String, outcome: JobOutcome) throws {
        let record = try commit { try queue.finish(id, outcome: outcome, at: Date()) }
        lock.withLock {
            queue.ended(id)
            if record.status == .successful, let started = record.started, let finished = record.finished {
                retry.record(seconds: finished.timeIntervalSince(started))
            }
        }
    }

    /// `DELETE /jobs/{id}`: a waiting or finished job is dismissed at once (its result deleted); a running job is
    /// asked to stop before its next day and is dismissed when it has. Returns the record after the change.
    func dismiss(_ id: String) throws -> JobRecord {
        let (record, removeResult): (JobRecord, Bool) = try lock.withLock {
            switch try queue.dismissal(of: id, at: Date()) {
            case .requested(let record), .unchanged(let record):
                return (record, false)
            case .now(let record, let removeResult):
                try journal.append(record)
                queue.apply(record)
                return (record, removeResult)
            }
        }
        if removeResult { resultPaths(record).forEach { try? FileManager.default.removeItem(atPath: $0) } }
        updateGauges()
        return record
    }

    /// Stops taking jobs: submissions are refused and the running job stops before its next day.
    func drain() {
        lock.withLock {
            queue.draining = true
            wakeUp?.finish()
        }
    }

    // MARK: - Internals

    /// Computes a change under the lock, journals it, then makes it visible.
    private func commit(_ change: () throws -> JobRecord) throws -> JobRecord {
        let record = try lock.withLock {
            let record = try change()
            try journal.append(record)
            queue.apply(record)
            return record
        }
        updateGauges()
        return record
    }

    private func removeStrayResults() {
        let keep = Set(queue.records.values.filter { $0.status == .successful }.flatMap(resultPaths).map { ($0 as NSString).lastPathComponent })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: resultsFolder)) ?? [] where !keep.contains(name) {
            try? FileManager.default.removeItem(atPath: (resultsFolder as NSString).appendingPathComponent(name))
        }
    }

    private func updateGauges() {
        let counts = lock.withLock { Dictionary(grouping: queue.records.values, by: \.status).mapValues(\.count) }
        metrics.record(jobCounts: counts)
    }
}
