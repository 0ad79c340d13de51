import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT, SIGTERM, SIGHUP and SIGUSR1 (Slurm's warning before a time limit) into a request to stop at
/// the next forecast day: the work in progress is abandoned, its temporary files are removed, and the command
/// exits 75 so that it can be run again.
///
/// `@unchecked Sendable`: `sources` is set once in init and only cancelled in deinit; the flag is atomic.
final class StopSignals: @unchecked Sendable {
    private let requested = Atomic<Bool>(false)
    private let sources: [DispatchSourceSignal]

    init() {
        sources = [SIGINT, SIGTERM, SIGHUP, SIGUSR1].map { number in
            signal(number, SIG_IGN)
            return DispatchSource.makeSignalSource(signal: number, queue: .global())
        }
        for source in sources {
            source.setEventHandler { [weak self] in self?.requested.store(true, ordering: .sequentiallyConsistent) }
            source.resume()
        }
    }

    deinit { sources.forEach { $0.cancel() } }

    /// Whether a stop signal has arrived.
    var isRequested: Bool { requested.load(ordering: .sequentiallyConsistent) }
}
