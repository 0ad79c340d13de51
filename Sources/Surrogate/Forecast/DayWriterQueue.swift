import OceanGrid
import Foundation

/// Writes forecast days on a thread of its own, so that writing day k overlaps computing day k + 1. At most
/// one day waits beside the one being written: memory stays bounded by two days of output whatever the
/// forecast length. The first failure is kept and thrown by the next ``submit(_:)`` or by ``drain()``.
///
/// `@unchecked Sendable`: `failure` is guarded by `lock`; the work items run one at a time on the serial queue,
/// which alone touches the writers they capture.
final class DayWriterQueue: @unchecked Sendable {
    private let queue = DispatchQueue(label: "forecastd.day-writer")
    private let slot = DispatchSemaphore(value: 1)
    private let lock = NSLock()
    private var failure: (any Error)?

    /// Queues `work` once the previous day has been handed to the writer thread; returns the seconds waited.
    func submit(_ work: @escaping @Sendable () throws -> Void) throws -> Double {
        try rethrow()
        let start = DispatchTime.now().uptimeNanoseconds
        slot.wait()
        let waited = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // The previous day has finished: if it failed, nothing more is written (per-day files stop at the first
        // failed day).
        do { try rethrow() } catch {
            slot.signal()
            throw error
        }
        queue.async {
            do { try work() } catch { self.lock.withLock { if self.failure == nil { self.failure = error } } }
            self.slot.signal()
        }
        return waited
    }

    /// Waits until every queued day is written; returns the seconds waited.
    func drain() throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        queue.sync {}
        let waited = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        try rethrow()
        return waited
    }

    private func rethrow() throws {
        if let failure = lock.withLock({ failure }) { throw failure }
    }
}

/// Hands a non-Sendable value to the writer thread. `@unchecked Sendable`: after the handoff only the
/// writer queue uses it (the forecast loop no longer touches it until ``DayWriterQueue/drain()``).
struct Handoff<Value>: @unchecked Sendable {
    let value: Value
}
