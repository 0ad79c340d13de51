/// Where a network's layers run: the thread pool that computes and the arena that holds activations and
/// scratch. A network owns one and hands it to every layer, instead of an arena and a pool on every call.
/// Not for concurrent use: the arena hands out memory in call order.
public struct ExecutionContext {
    public let pool: ThreadPool
    public let arena: Arena

    public init(pool: ThreadPool = .shared, arena: Arena = Arena()) {
        self.pool = pool
        self.arena = arena
    }
}
