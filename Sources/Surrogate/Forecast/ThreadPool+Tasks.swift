import NetCDF
import Tensor

extension ThreadPool {
    /// The pool as the NetCDF layer runs independent tasks (chunks encoded or decoded at once).
    var tasks: ChunkStore.ParallelTasks { { count, body in self.parallelFor(count) { task, _ in body(task) } } }
}
