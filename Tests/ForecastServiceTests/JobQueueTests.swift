@testable import ForecastService
import Foundation
import OceanGrid
import Surrogate
import Testing

@Suite("JobQueue: the jobs' state machine")
struct JobQueueTests {
    static let inputs = JobInputs(model: "sample", initial: "init.nc", forcing: "forcing.nc", days: 5, deflate: 1, pack: nil,
                                  forcingMode: .strict, variables: [:])
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A queue holding `count` accepted jobs named j0, j1, ...
    static func queue(_ count: Int) throws -> JobQueue {
        var queue = JobQueue()
        for n in 0..<count { queue.apply(try queue.submission(inputs, id: "j\(n)", at: now, limit: 16)) }
        return queue
    }

    @Test("Submissions wait in order; the queue limit and draining refuse new ones")
    func submission() throws {
        var queue = try Self.queue(2)
        #expect(queue.all.map(\.id) == ["j0", "j1"] && queue.waiting == 2)
        #expect(throws: JobStoreError.queueFull(limit: 2, retryAfterSeconds: 0)) { try queue.submission(Self.inputs, id: "x", at: Self.now, limit: 2) }
        queue.draining = true
        #expect(throws: JobStoreError.draining) { try queue.submission(Self.inputs, id: "x", at: Self.now, limit: 16) }
        #expect(queue.start(at: Self.now) == nil)
    }

    @Test("start takes the oldest waiting job, counts the attempt and resets the day; finish ends it by outcome")
    func lifecycle() throws {
        var queue = try Self.queue(2)
        let started = try #require(queue.start(at: Self.now))
        #expect(started.id == "j0" && started.status == .running && started.attempts == 1 && started.day == 0 && started.started == Self.now)
        queue.apply(started)
        #expect(queue.start(at: Self.now)?.id == "j1")
        queue.apply(try queue.progress("j0", day: 3, at: Self.now))
        #expect(queue.records["j0"]?.day == 3)
        let done = try queue.finish("j0", outcome: .successful(ForecastTimings(), bytes: 42), at: Self.now)
        #expect(done.status == .successful && done.resultBytes == 42 && done.finished == Self.now)
        let failed = try queue.finish("j0", outcome: .failed("init.nc: bad"), at: Self.now)
        #expect(failed.status == .failed && failed.message == "init.nc: bad")
        let stopped = try queue.finish("j0", outcome: .stopped(day: 4), at: Self.now)
        #expect(stopped.status == .accepted && stopped.message?.contains("before day 4") == true)
        #expect(throws: JobStoreError.unknownJob("nope")) { try queue.progress("nope", day: 1, at: Self.now) }
    }

    @Test("Dismissal: waiting and finished jobs at once (a result to delete only when successful), running ones by request")
    func dismissal() throws {
        var queue = try Self.queue(3)
        guard case .now(let waiting, let removeWaiting) = try queue.dismissal(of: "j0", at: Self.now) else { Issue.record("j0"); return }
        #expect(waiting.status == .dismissed && !removeWaiting)
        queue.apply(waiting)
        guard case .unchanged = try queue.dismissal(of: "j0", at: Self.now) else { Issue.record("j0 again"); return }
        let running = try #require(queue.start(at: Self.now))
        queue.apply(running)
        guard case .requested(let shown) = try queue.dismissal(of: running.id, at: Self.now) else { Issue.record("running"); return }
        #expect(shown.status == .running && queue.cancelled.contains(running.id))
        let ended = try queue.finish(running.id, outcome: .stopped(day: 2), at: Self.now)
        #expect(ended.status == .dismissed && ended.message == "dismissed before day 2")
        queue.apply(ended)
        queue.ended(running.id)
        #expect(queue.cancelled.isEmpty)
        queue.apply(try queue.finish("j2", outcome: .successful(ForecastTimings(), bytes: 1), at: Self.now))
        guard case .now(_, let removeResult) = try queue.dismissal(of: "j2", at: Self.now) else { Issue.record("j2"); return }
        #expect(removeResult)
        #expect(throws: JobStoreError.unknownJob("nope")) { _ = try queue.dismissal(of: "nope", at: Self.now) }
    }

    @Test("Recovery: running -> queued again, failed after maxAttempts; successful without its file -> failed; others unchanged")
    func recovery() throws {
        var record = JobRecord(id: "r", inputs: Self.inputs, created: Self.now)
        #expect(JobQueue.recovered(record, maxAttempts: 3, resultExists: false, resultPath: "r.nc", at: Self.now) == nil)
        record.status = .running
        record.attempts = 2
        record.day = 4
        let requeued = try #require(JobQueue.recovered(record, maxAttempts: 3, resultExists: false, resultPath: "r.nc", at: Self.now))
        #expect(requeued.status == .accepted && requeued.day == 0 && requeued.message?.contains("day 4 of 5") == true)
        record.attempts = 3
        #expect(JobQueue.recovered(record, maxAttempts: 3, resultExists: false, resultPath: "r.nc", at: Self.now)?.status == .failed)
        record.status = .successful
        #expect(JobQueue.recovered(record, maxAttempts: 3, resultExists: true, resultPath: "r.nc", at: Self.now) == nil)
        #expect(JobQueue.recovered(record, maxAttempts: 3, resultExists: false, resultPath: "r.nc", at: Self.now)?.message
                == "the result file r.nc is gone")
    }

    @Test("Retry-After: 10 s per waiting job until a job has finished, then the mean of the last 10, at least 1 s")
    func retryAfter() {
        var estimate = RetryEstimator()
        #expect(estimate.retryAfter(waiting: 3) == 30)
        estimate.record(seconds: 0.2)
        #expect(estimate.retryAfter(waiting: 1) == 1)
        for _ in 0..<10 { estimate.record(seconds: 4) }
        #expect(estimate.retryAfter(waiting: 2) == 8)
    }
}
