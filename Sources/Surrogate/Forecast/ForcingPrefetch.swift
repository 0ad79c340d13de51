import Foundation
import NetCDF
import OceanGrid
import Tensor

/// Reads and checks (``AtmosphereForcing/readChecked(_:mode:member:into:ocean:)``) the forcing of day k + 1 on a
/// thread of its own while day k computes, into two day buffers used in turn: the forecast loop only waits for a
/// read that is not done yet (reads also wait for the netCDF lock the writer thread takes to store its chunks). A
/// day is every member's day when the forcing has members, else one. A read's failure is thrown when its day is
/// taken. Dropped, it waits for the read in flight, so that no read outlives the forecast that asked for it.
final class ForcingPrefetch {
    private let reads: Reads
    private let queue = DispatchQueue(label: "forecastd.forcing")

    /// Starts reading day 1 of the forecast from `reference`; `ocean` is `[H * W]`, non-zero over the ocean.
    init(forcing: AtmosphereForcing, mode: ForcingMode, reference: CFDateTime, ocean: Tensor) {
        let day = { (0..<forcing.members).map { _ in AtmosphereDay.zeros(cells: ocean.count) } }
        reads = Reads(forcing: forcing, mode: mode, reference: reference, ocean: ocean, buffers: [day(), day()])
        start(day: 1)
    }

    deinit { queue.sync {} }

    /// Queues the read of `day` into its buffer (the one day - 1 did not use).
    private func start(day: Int) {
        queue.async { [reads] in reads.read(day: day) }
    }

    /// The forcing of `day` (days are taken in order from 1), and the seconds spent waiting for it; queues the read
    /// of `day + 1` unless `day` is the last. Throws what the read of `day` threw.
    func take(day: Int, last: Int) throws -> (day: [AtmosphereDay], waited: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = reads.result(day: day)
        let waited = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        try result.get()
        if day < last { self.start(day: day + 1) }
        return (reads.buffers[day % 2], waited)
    }

    /// What the reading thread shares with the loop (the queued reads hold this, not the prefetch, so that the
    /// prefetch is always dropped by the loop's thread). `@unchecked Sendable`: `results` is guarded by `lock`; the
    /// reads run one at a time on the serial queue, which alone touches the forcing file, and a day's buffer is read
    /// into only after the loop has taken and used it.
    private final class Reads: @unchecked Sendable {
        let forcing: AtmosphereForcing
        let mode: ForcingMode
        let reference: CFDateTime
        let ocean: Tensor
        let buffers: [[AtmosphereDay]]
        private let lock = NSLock()
        private var results: [Int: Result<Void, any Error>] = [:]
        private let ready = DispatchSemaphore(value: 0)

        init(forcing: AtmosphereForcing, mode: ForcingMode, reference: CFDateTime, ocean: Tensor, buffers: [[AtmosphereDay]]) {
            (self.forcing, self.mode, self.reference, self.ocean, self.buffers) = (forcing, mode, reference, ocean, buffers)
        }

        func read(day: Int) {
            let date = AtmosphereForcing.date(reference, plus: day)
            let result = Result {
                for (member, buffer) in buffers[day % 2].enumerated() {
                    try forcing.readChecked(date, mode: mode, member: member, into: buffer, ocean: ocean)
                }
            }
            lock.withLock { results[day] = result }
            ready.signal()
        }

        /// Waits for the read of `day` to end.
        func result(day: Int) -> Result<Void, any Error> {
            while true {
                if let result = lock.withLock({ results.removeValue(forKey: day) }) { return result }
                ready.wait()
            }
        }
    }
}
