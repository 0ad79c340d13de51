import Foundation
import Logging
import OceanGrid
import Surrogate

/// Why a job cannot be queued or changed.
enum JobStoreError: Error {
    /// The queue holds `limit` waiting jobs already.
    case queueFull(limit: Int, retryAfterSeconds: Int)
    /// The service is stopping and takes no new jobs.
    case draining
    /// No job has this id.
    case unknownJob(String)
}

/// Every job the service knows, in memory and in the journal. All changes go through here: each is written to
/// the journal before it is visible, so a crash at any moment leaves a state a restart can recover.
///
/// Recovery on opening: a job that was `running` when the service died is queued again (`accepted`, with a
/// message saying so) unless it has been started `maxAttempts` times already, in which case it is `failed`; a
/// `successful` job whose result file is gone is `failed`; files in the results folder that belong to no
/// successful job (a forecast's unfinished temporary file, a dismissed job's result) are deleted.
final class JobStore: @unchecked Sendable {
    /// Where results live: `results/ID.nc` in the state folder.
    let resultsFolder: String
    let queueLimit: Int
    let maxAttempts: Int
    private let journal: JobJournal
    private let lock = NSLock()
    private var records: [String: JobRecord] = [:]
    private var order: [String] = []
    private var cancelled: Set<String> = []
    private var draining = false
    private var wakeUp: AsyncStream<Void>.Continuation?
    private let metrics: ServiceMetrics
    private let logger: Logger
    /// Seconds the last finished jobs took, for Retry-After estimates.
    private var recentDurations: [Double] = []

    init(stateFolder: String, queueLimit: Int, maxAttempts: Int = 3, metrics: ServiceMetrics, logger: Logger) throws {
        resultsFolder = (stateFolder as NSString).appendingPathComponent("results")
        try FileManager.default.createDirectory(atPath: resultsFolder, withIntermediateDirectories: true)
        self.queueLimit = queueLimit
        self.maxAttempts = maxAttempts
        self.metrics = metrics
        self.logger = logger
        let (journal, stored) = try JobJournal.open(folder: stateFolder)
        self.journal = journal
        if journal.skippedLines > 0 {
            logger.warning("skipped unreadable journal lines", metadata: ["path": "\(journal.path)", "lines": "\(journal.skippedLines)"])
        }
        for record in stored {
            order.append(record.id)
            records[record.id] = try recovered(record)
        }
        removeStrayResults()
        updateGauges()
    }

    /// The path of a job's result file.
    func resultPath(_ id: String) -> String { (resultsFolder as NSString).appendingPathComponent(id + ".nc") }

    /// All jobs, oldest first.
    func all() -> [JobRecord] { lock.withLock { order.compactMap { records[$0] } } }

    func job(_ id: String) -> JobRecord? { lock.withLock { records[id] } }

    /// Queues a new job.
    func submit(_ inputs: JobInputs) throws -> JobRecord {
        let record: JobRecord = try lock.withLock {
            if draining { throw JobStoreError.draining }
            let waiting = records.values.filter { $0.status == .accepted }.count
            if waiting >= queueLimit {
                throw JobStoreError.queueFull(limit: queueLimit, retryAfterSeconds: retryAfterLocked(waiting: waiting))
            }
            let record = JobRecord(id: UUID().uuidString.lowercased(), inputs: inputs, created: Date())
            try journal.append(record)
            records[record.id] = record
            order.append(record.id)
            return record
        }
        updateGauges()
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
            guard !draining, let id = order.first(where: { records[$0]?.status == .accepted }), var record = records[id] else { return nil }
            record.status = .running
            record.attempts += 1
            record.day = 0
            record.started = Date()
            record.updated = record.started!
            record.message = nil
            try commitLocked(record)
            return record
        }
        updateGauges()
        return record
    }

    /// Records that a running job finished day `day`.
    func progress(_ id: String, day: Int) throws {
        try update(id) { $0.day = day }
    }

    /// Whether the worker should stop `id` before its next day: it was dismissed or the service drains.
    func shouldStop(_ id: String) -> Bool { lock.withLock { draining || cancelled.contains(id) } }

    /// Ends a running job: successful with its timings, or stopped (dismissed, re-queued for the next start,
    /// or failed with `message`).
    func finish(_ id: String, outcome: JobOutcome) throws {
        var seconds: Double?
        try update(id) { record in
            let now = Date()
            switch outcome {
            case .successful(let timings, let bytes):
                record.status = .successful
                record.timings = timings
                record.resultBytes = bytes
                record.finished = now
                seconds = record.started.map { now.timeIntervalSince($0) }
            case .stopped(let day):
                if cancelled.contains(id) {
                    record.status = .dismissed
                    record.message = "dismissed before day \(day)"
                    record.finished = now
                } else {
                    record.status = .accepted
                    record.message = "the service stopped before day \(day); queued again for its next start"
                }
            case .failed(let message):
                record.status = .failed
                record.message = message
                record.finished = now
            }
        }
        lock.withLock {
            cancelled.remove(id)
            if let seconds { recentDurations = Array((recentDurations + [seconds]).suffix(10)) }
        }
    }

    /// `DELETE /jobs/{id}`: a waiting or finished job is dismissed at once (its result deleted); a running job is
    /// asked to stop before its next day and is dismissed when it has. Returns the record after the change.
    func dismiss(_ id: String) throws -> JobRecord {
        let (record, removeResult): (JobRecord, Bool) = try lock.withLock {
            guard var record = records[id] else { throw JobStoreError.unknownJob(id) }
            switch record.status {
            case .running:
                cancelled.insert(id)
                record.message = "dismissal requested; stopping before the next day"
                return (record, false)
            case .dismissed:
                return (record, false)
            case .accepted, .successful, .failed:
                let hadResult = record.status == .successful
                record.status = .dismissed
                record.finished = record.finished ?? Date()
                record.updated = Date()
                record.message = "dismissed"
                try commitLocked(record)
                return (record, hadResult)
            }
        }
        if removeResult { try? FileManager.default.removeItem(atPath: resultPath(id)) }
        updateGauges()
        return record
    }

    /// Stops taking jobs: submissions are refused and the running job stops before its next day.
    func drain() {
        lock.withLock {
            draining = true
            wakeUp?.finish()
        }
    }

    // MARK: - Internals

    private func update(_ id: String, _ change: (inout JobRecord) -> Void) throws {
        try lock.withLock {
            guard var record = records[id] else { throw JobStoreError.unknownJob(id) }
            change(&record)
            record.updated = Date()
            try commitLocked(record)
        }
        updateGauges()
    }

    private func commitLocked(_ record: JobRecord) throws {
        try journal.append(record)
        records[record.id] = record
    }

    private func recovered(_ stored: JobRecord) throws -> JobRecord {
        var record = stored
        switch record.status {
        case .running where record.attempts >= maxAttempts:
            record.status = .failed
            record.finished = Date()
            record.message = "the service stopped while this job was running, \(record.attempts) times; not started again"
        case .running:
            record.status = .accepted
            record.message = "the service stopped while this job was running (day \(record.day) of \(record.inputs.days)); queued again"
        case .successful where !FileManager.default.fileExists(atPath: resultPath(record.id)):
            record.status = .failed
            record.message = "the result file \(resultPath(record.id)) is gone"
        default:
            return record
        }
        record.day = 0
        record.updated = Date()
        try journal.append(record)
        return record
    }

    private func removeStrayResults() {
        let keep = Set(records.values.filter { $0.status == .successful }.map { $0.id + ".nc" })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: resultsFolder)) ?? [] where !keep.contains(name) {
            try? FileManager.default.removeItem(atPath: (resultsFolder as NSString).appendingPathComponent(name))
        }
    }

    private func retryAfterLocked(waiting: Int) -> Int {
        let typical = recentDurations.isEmpty ? 10 : recentDurations.reduce(0, +) / Double(recentDurations.count)
        return max(1, Int((typical * Double(waiting)).rounded(.up)))
    }

    private func updateGauges() {
        let counts = lock.withLock {
            Dictionary(grouping: records.values, by: \.status).mapValues(\.count)
        }
        metrics.record(jobCounts: counts)
    }
}

/// How a running job ended.
enum JobOutcome {
    case successful(ForecastTimings, bytes: Int)
    /// Stopped before `day` because it was dismissed or the service drains.
    case stopped(day: Int)
    case failed(String)
}
