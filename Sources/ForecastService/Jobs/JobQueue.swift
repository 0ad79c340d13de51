import Foundation
import Surrogate

/// The jobs' state machine, without files, locks or clocks of its own: each transition computes the changed
/// record, which ``JobStore`` journals before it ``apply(_:)``s it, so that no change is visible before it is on
/// disk.
///
/// accepted -> running (``start(at:)``) -> successful | failed | accepted again (the service stopped) | dismissed;
/// accepted, successful and failed -> dismissed at once (``dismissal(of:at:)``); running -> dismissed once it
/// has stopped before its next day.
struct JobQueue {
    /// Every job, by id, and the ids oldest first.
    private(set) var records: [String: JobRecord] = [:]
    private(set) var order: [String] = []
    /// Running jobs asked to stop by a dismissal.
    private(set) var cancelled: Set<String> = []
    /// The service is stopping: no submissions, no starts, the running job stops before its next day.
    var draining = false

    /// All jobs, oldest first.
    var all: [JobRecord] { order.compactMap { records[$0] } }

    /// How many jobs wait.
    var waiting: Int { records.values.filter { $0.status == .accepted }.count }

    /// Inserts or replaces a record (a new job goes to the end of the queue).
    mutating func apply(_ record: JobRecord) {
        if records.updateValue(record, forKey: record.id) == nil { order.append(record.id) }
    }

    /// A new waiting job, refused while draining or when `limit` jobs wait already.
    func submission(_ inputs: JobInputs, id: String, at now: Date, limit: Int) throws -> JobRecord {
        if draining { throw JobStoreError.draining }
        guard waiting < limit else { throw JobStoreError.queueFull(limit: limit, retryAfterSeconds: 0) }
        return JobRecord(id: id, inputs: inputs, created: now)
    }

    /// The oldest waiting job, now running; nil when none waits or the service drains.
    func start(at now: Date) -> JobRecord? {
        guard !draining, let id = order.first(where: { records[$0]?.status == .accepted }), var record = records[id] else { return nil }
        record.status = .running
        record.attempts += 1
        record.day = 0
        record.started = now
        record.updated = now
        record.message = nil
        return record
    }

    /// A running job after it finished day `day`.
    func progress(_ id: String, day: Int, at now: Date) throws -> JobRecord {
        try changed(id, at: now) { $0.day = day }
    }

    /// A running job after its end: successful with its timings, dismissed or queued again when it stopped
    /// (dismissed if a dismissal asked it to stop, else the service drained), or failed with its message.
    func finish(_ id: String, outcome: JobOutcome, at now: Date) throws -> JobRecord {
        try changed(id, at: now) { record in
            switch outcome {
            case .successful(let timings, let bytes):
                record.status = .successful
                record.timings = timings
                record.resultBytes = bytes
                record.finished = now
            case .stopped(let day) where cancelled.contains(id):
                record.status = .dismissed
                record.message = "dismissed before day \(day)"
                record.finished = now
            case .stopped(let day):
                record.status = .accepted
                record.message = "the service stopped before day \(day); queued again for its next start"
            case .failed(let message):
                record.status = .failed
                record.message = message
                record.finished = now
            }
        }
    }

    /// Forgets a finished job's dismissal request.
    mutating func ended(_ id: String) { cancelled.remove(id) }

    /// What `DELETE /jobs/{id}` does to a job.
    enum Dismissal {
        /// Dismissed now: journal the record; delete the result file when `removeResult`.
        case now(JobRecord, removeResult: Bool)
        /// Running: asked to stop before its next day (nothing to journal yet); the record as shown meanwhile.
        case requested(JobRecord)
        /// Dismissed already.
        case unchanged(JobRecord)
    }

    /// Dismisses `id`: a waiting or finished job at once, a running one by asking it to stop.
    mutating func dismissal(of id: String, at now: Date) throws -> Dismissal {
        guard var record = records[id] else { throw JobStoreError.unknownJob(id) }
        switch record.status {
        case .running:
            cancelled.insert(id)
            record.message = "dismissal requested; stopping before the next day"
            return .requested(record)
        case .dismissed:
            return .unchanged(record)
        case .accepted, .successful, .failed:
            let hadResult = record.status == .successful
            record.status = .dismissed
            record.finished = record.finished ?? now
            record.updated = now
            record.message = "dismissed"
            return .now(record, removeResult: hadResult)
        }
    }

    /// A stored record as the service finds it when it starts; nil when it needs no change. A job `running`
    /// when the service died is queued again, or failed after `maxAttempts` starts (a job that kills the
    /// service cannot loop); a successful job whose result file is gone is failed.
    static func recovered(_ stored: JobRecord, maxAttempts: Int, resultExists: Bool, resultPath: String, at now: Date) -> JobRecord? {
        var record = stored
        switch record.status {
        case .running where record.attempts >= maxAttempts:
            record.status = .failed
            record.finished = now
            record.message = "the service stopped while this job was running, \(record.attempts) times; not started again"
        case .running:
            record.status = .accepted
            record.message = "the service stopped while this job was running (day \(record.day) of \(record.inputs.days)); queued again"
        case .successful where !resultExists:
            record.status = .failed
            record.message = "the result file \(resultPath) is gone"
        default:
            return nil
        }
        record.day = 0
        record.updated = now
        return record
    }

    private func changed(_ id: String, at now: Date, _ change: (inout JobRecord) -> Void) throws -> JobRecord {
        guard var record = records[id] else { throw JobStoreError.unknownJob(id) }
        change(&record)
        record.updated = now
        return record
    }
}

/// How a running job ended.
enum JobOutcome {
    case successful(ForecastTimings, bytes: Int)
    /// Stopped before `day` because it was dismissed or the service drains.
    case stopped(day: Int)
    case failed(String)
}

/// Why a job cannot be queued or changed.
enum JobStoreError: Error, Equatable {
    /// The queue holds `limit` waiting jobs already.
    case queueFull(limit: Int, retryAfterSeconds: Int)
    /// The service is stopping and takes no new jobs.
    case draining
    /// No job has this id.
    case unknownJob(String)
}
