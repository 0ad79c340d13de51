@testable import ForecastService
import Foundation
import Logging
import TestSupport
import Testing

@Suite("JobStore in-process: every change journaled, recovery when reopened after a crash")
struct JobStoreTests {
    /// swift-metrics is bootstrapped once per process.
    static let metrics = ServiceMetrics()

    static func open(_ folder: String, queueLimit: Int = 2) throws -> JobStore {
        try JobStore(stateFolder: folder, queueLimit: queueLimit, metrics: metrics, logger: Logger(label: "test"))
    }

    @Test("Queue full -> 429 data; a store reopened without closing (a crash) re-queues the running job and drops stray results")
    func crashAndReopen() throws {
        let folder = try Scratch.folder()
        let store = try Self.open(folder)
        let first = try store.submit(JobQueueTests.inputs), second = try store.submit(JobQueueTests.inputs)
        #expect(throws: JobStoreError.queueFull(limit: 2, retryAfterSeconds: 20)) { try store.submit(JobQueueTests.inputs) }
        #expect(try store.startNext()?.id == first.id)
        try store.progress(first.id, day: 2)
        #expect(store.shouldStop(first.id) == false)
        FileManager.default.createFile(atPath: store.resultPath("stray"), contents: Data([1]))

        let reopened = try Self.open(folder)
        let recovered = try #require(reopened.job(first.id))
        #expect(recovered.status == .accepted && recovered.attempts == 1 && recovered.day == 0)
        #expect(recovered.message?.contains("day 2 of 5") == true)
        #expect(reopened.job(second.id)?.status == .accepted)
        #expect(reopened.all().map(\.id) == [first.id, second.id])
        #expect(!FileManager.default.fileExists(atPath: reopened.resultPath("stray")))
    }

    @Test("Finish, dismiss and drain: results kept for successful jobs, deleted on dismissal; draining refuses and stops")
    func finishDismissDrain() throws {
        let folder = try Scratch.folder()
        let store = try Self.open(folder, queueLimit: 4)
        let job = try store.submit(JobQueueTests.inputs)
        _ = try store.startNext()
        FileManager.default.createFile(atPath: store.resultPath(job.id), contents: Data([1, 2]))
        try store.finish(job.id, outcome: .successful(.init(), bytes: 2))
        #expect(store.job(job.id)?.status == .successful && store.job(job.id)?.resultBytes == 2)
        #expect(try store.dismiss(job.id).status == .dismissed)
        #expect(!FileManager.default.fileExists(atPath: store.resultPath(job.id)))

        let running = try store.submit(JobQueueTests.inputs)
        _ = try store.startNext()
        #expect(try store.dismiss(running.id).status == .running && store.shouldStop(running.id))
        try store.finish(running.id, outcome: .stopped(day: 1))
        #expect(store.job(running.id)?.status == .dismissed && !store.shouldStop(running.id))

        store.drain()
        #expect(throws: JobStoreError.draining) { try store.submit(JobQueueTests.inputs) }
        // Reopened (one store per folder at a time, as in the service): the journal holds every change.
        let reopened = try Self.open(folder)
        #expect(reopened.job(job.id)?.status == .dismissed && reopened.job(running.id)?.status == .dismissed)
    }
}
