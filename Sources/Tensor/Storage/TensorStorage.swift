#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Float32 memory for tensors: one 64-byte aligned block, owned or borrowed.
///
/// Owned blocks are zero-filled at allocation and freed with the storage. Blocks of ``mappedBytes`` or more are
/// mapped from the kernel, whose pages read as zero until first written: no zeroing pass on the allocating
/// thread, and the pages are faulted in by the threads that first write them (all of a pool's, where a parallel
/// kernel fills the tensor). Borrowed blocks (a memory-mapped weight file, an arena slice) stay owned by
/// whoever lent them, who keeps them alive.
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
    /// Bytes mapped for an owned block of at least ``mappedBytes`` (0: allocated by malloc).
    private let mapped: Int

    /// Owned blocks this large or larger are mapped rather than allocated and zeroed.
    public static let mappedBytes = 1 << 20

    /// Allocates `count` zeroed elements, 64-byte aligned.
    public init(count: Int) {
        precondition(count >= 0, "negative element count \(count)")
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let rounded = (bytes + Self.alignment - 1) / Self.alignment * Self.alignment
        let raw: UnsafeMutableRawPointer
        if rounded >= Self.mappedBytes {
            guard let map = mmap(nil, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), map != MAP_FAILED else {
                fatalError("out of memory mapping \(rounded) bytes for a tensor")
            }
            (raw, mapped) = (map, rounded)
        } else {
            var allocated: UnsafeMutableRawPointer?
            guard posix_memalign(&allocated, Self.alignment, rounded) == 0, let allocated else {
                fatalError("out of memory allocating \(rounded) bytes for a tensor")
            }
            memset(allocated, 0, rounded)
            (raw, mapped) = (allocated, 0)
        }
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
        mapped = 0
    }

    deinit {
        guard owned else { return }
        if mapped > 0 { munmap(base, mapped) } else { free(base) }
    }
}
