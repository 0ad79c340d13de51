import Foundation
import OceanGrid
import Surrogate
import Tensor

/// The model folders a service was started with, loaded once in the service's precision and kept in memory;
/// `isReady` once all are. A job that asks for another precision gets the model packed for it, loaded the first
/// time it is asked for and kept.
final class ModelRegistry: @unchecked Sendable {
    /// Name -> folder, as given on the command line.
    let folders: [String: String]
    /// The precision jobs get when they do not choose (nil: each model's declared one, else fp32).
    let precision: PrecisionChoice?
    private let lock = NSLock()
    private var loaded: [String: ForecastModel] = [:]
    /// Models loaded for a job's own precision, by name and precision.
    private var variants: [String: ForecastModel] = [:]

    init(folders: [String: String], precision: PrecisionChoice?) {
        self.folders = folders
        self.precision = precision
    }

    var names: Set<String> { Set(folders.keys) }

    var isReady: Bool { lock.withLock { loaded.count == folders.count } }

    /// Loads every model (run off the async executors: it reads and checks the weights).
    func loadAll(pool: ThreadPool) throws {
        for (name, folder) in folders.sorted(by: { $0.key < $1.key }) {
            let model = try ForecastModel(folder: folder, pool: pool, precision: precision)
            lock.withLock { loaded[name] = model }
        }
    }

    /// The model `name` packed for `choice` (nil: the service's precision), loading it on first use; nil when
    /// `name` was not loaded.
    func model(_ name: String, precision choice: PrecisionChoice? = nil, pool: ThreadPool) throws -> ForecastModel? {
        guard let base = lock.withLock({ loaded[name] }) else { return nil }
        guard let choice else { return base }
        let (precision, _) = try Surrogate.precision(choice, declared: base.surrogate.configuration.precision)
        if precision == base.surrogate.precision { return base }
        let key = "\(name)/\(precision)"
        if let variant = lock.withLock({ variants[key] }) { return variant }
        let variant = try ForecastModel(folder: base.folder, pool: pool, precision: choice)
        lock.withLock { variants[key] = variant }
        return variant
    }
}
