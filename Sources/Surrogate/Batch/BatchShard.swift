import Foundation

/// Which part of a batch this process runs: entries whose position modulo `count` is `index`.
public struct BatchShard: Sendable, Equatable {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, (0..<count).contains(index) else {
            throw BatchShardError(text: "shard \(index)/\(count): the index must be in 0..<count")
        }
        self.index = index
        self.count = count
    }

    /// From `option` ("I/N"); else from Slurm's job array: with `shards` (the array's full size, so that
    /// re-submitting one index later runs that index's share), SLURM_ARRAY_TASK_ID of `shards`; without,
    /// SLURM_ARRAY_TASK_ID counted from SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT; else the whole batch.
    public static func resolve(option: String?, shards: Int? = nil, environment: [String: String]) throws -> BatchShard {
        if let option {
            let parts = option.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2 else { throw BatchShardError(text: "a shard is I/N, e.g. 0/4; got '\(option)'") }
            return try BatchShard(index: parts[0], count: parts[1])
        }
        let id = environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init)
        if let id, let shards { return try BatchShard(index: id, count: shards) }
        if let id, let count = environment["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init) {
            let minimum = environment["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
            return try BatchShard(index: id - minimum, count: count)
        }
        return try BatchShard(index: 0, count: 1)
    }

    /// This shard's entries.
    public func select(_ entries: [BatchEntry]) -> [BatchEntry] {
        entries.enumerated().filter { $0.offset % count == index }.map(\.element)
    }
}

/// A shard that names no part of the batch (the index outside 0..<count, or not written I/N).
public struct BatchShardError: Error, CustomStringConvertible, Equatable {
    public let text: String
    public init(text: String) { self.text = text }
    public var description: String { text }
}
