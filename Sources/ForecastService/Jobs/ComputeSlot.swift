import Foundation

/// The one forecast the service runs at a time: which job holds the compute slot and until when it may. A job
/// is stopped at the first day boundary past its time limit; one still holding the slot after that is stuck
/// inside a day, and the readiness check says so.
final class ComputeSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var holder: (job: String, deadline: Date)?

    /// `job` holds the slot until `deadline`.
    func take(_ job: String, deadline: Date) {
        lock.withLock { holder = (job, deadline) }
    }

    func release() {
        lock.withLock { holder = nil }
    }

    /// The job holding the slot past its deadline, if any.
    var overdueJob: String? {
        lock.withLock { holder.flatMap { Date() > $0.deadline ? $0.job : nil } }
    }
}
