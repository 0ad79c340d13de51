#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Float32 memory for tensors: one 64-byte aligned block, owned or borrowed.
///
/// Owned blocks are zero-filled at allocation and freed with the storage. Borrowed blocks (a memory-mapped
/// weight file, an arena slice) stay owned by whoever lent them, who keeps them alive.
///
/// `@unchecked Sendable`: the storage is raw shared memory, like a C array. Kernels write disjoint parts of it
/// from the worker threads of one ``ThreadPool`` call, which joins before returning, so no two threads touch
/// the same element concurrently; callers sharing a tensor across tasks must do the same.
public final class TensorStorage: @unchecked Sendable {
    /// Alignment of every owned block, in bytes (one cache line, one AVX-512 register).
    public static let alignment = 64

    /// First element.
    public let base: UnsafeMutablePointer<Float>
    /// Number of elements.
    public let count: Int
    private let owner: AnyObject?
    private let owned: Bool

    /// Allocates `count` zeroed elements, 64-byte aligned.
    public init(count: Int) {
        precondition(count >= 0, "negative element count \(count)")
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let rounded = (bytes + Self.alignment - 1) / Self.alignment * Self.alignment
        guard posix_memalign(&raw, Self.alignment, rounded) == 0, let raw else {
            fatalError("out of memory allocating \(rounded) bytes for a tensor")
        }
        memset(raw, 0, rounded)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
        owner = nil
        owned = true
    }

    /// Borrows `count` elements at `base`, kept alive by `owner` for as long as this storage lives.
    public init(borrowing base: UnsafeMutablePointer<Float>, count: Int, owner: AnyObject?) {
        self.base = base
        self.count = count
        self.owner = owner
        owned = false
    }

    deinit {
        if owned { free(base) }
    }
}
