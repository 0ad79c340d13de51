import Foundation
import OceanGrid
import Surrogate
import Tensor

/// The model folders a service was started with, loaded once and kept in memory; `isReady` once all are.
final class ModelRegistry: @unchecked Sendable {
    /// Name -> folder, as given on the command line.
    let folders: [String: String]
    private let lock = NSLock()
    private var loaded: [String: ForecastModel] = [:]

    init(folders: [String: String]) { self.folders = folders }

    var names: Set<String> { Set(folders.keys) }

    var isReady: Bool { lock.withLock { loaded.count == folders.count } }

    /// Loads every model (run off the async executors: it reads and checks the weights).
    func loadAll(pool: ThreadPool) throws {
        for (name, folder) in folders.sorted(by: { $0.key < $1.key }) {
            let model = try ForecastModel(folder: folder, pool: pool)
            lock.withLock { loaded[name] = model }
        }
    }

    func model(_ name: String) -> ForecastModel? { lock.withLock { loaded[name] } }
}
