/// Activation memory planned once: a forward pass takes its buffers from the arena, and every pass after the
/// first allocates nothing.
///
/// The arena is a bump allocator over one 64-byte aligned block. A pass calls ``reset()`` and then takes
/// tensors in the same order as before; temporaries inside a layer are returned with ``mark()`` /
/// ``release(to:)``. When the first pass needs more than the block holds, the arena serves the overflow from
/// extra blocks and records the high-water mark; the next ``reset()`` replaces everything by one block of that
/// size, so from then on the plan is fixed and no allocation happens. Overflow blocks given back by
/// ``release(to:)`` are freed at once, so the first pass holds about its high-water mark, not the sum of every
/// temporary it took (at WenHai's full size that sum is several times the peak).
///
/// Not thread-safe: one arena belongs to one forward pass at a time.
public final class Arena: @unchecked Sendable {
    private var block: TensorStorage
    /// Blocks of a first pass that outgrew the arena, each with the overflow fill level it started at.
    private var overflow: [(storage: TensorStorage, start: Int)] = []
    private var used = 0
    private var overflowUsed = 0
    private var highWater = 0

    /// An arena that starts with room for `capacity` floats (it grows on a first pass that needs more).
    public init(capacity: Int = 0) {
        block = TensorStorage(count: capacity)
    }

    /// Floats the arena holds in its main block.
    public var capacity: Int { block.count }
    /// Most floats one pass has needed so far.
    public var peakUsage: Int { highWater }

    /// Starts a new pass. Consolidates the blocks of a pass that outgrew the arena into one.
    public func reset() {
        if !overflow.isEmpty || highWater > block.count {
            overflow.removeAll()
            block = TensorStorage(count: 0)
            block = TensorStorage(count: highWater)
        }
        used = 0
        overflowUsed = 0
    }

    /// A zero-offset contiguous tensor of `shape` taken from the arena. Its contents are whatever the previous
    /// pass left there; kernels that write it overwrite every element.
    public func tensor(_ shape: Dimensions) -> Tensor {
        let count = shape.product
        let padded = (count + 15) / 16 * 16
        defer { highWater = max(highWater, used + overflowUsed) }
        if used + padded <= block.count {
            let t = Tensor(storage: block, shape: shape, offset: used)
            used += padded
            return t
        }
        let extra = TensorStorage(count: padded)
        overflow.append((extra, overflowUsed))
        overflowUsed += padded
        return Tensor(storage: extra, shape: shape)
    }

    /// Room for `count` pointers (a convolution's per-tap row pointers), taken from the arena like a tensor.
    public func pointers(_ count: Int) -> UnsafeMutablePointer<UnsafePointer<Float>> {
        let floatsPerPointer = MemoryLayout<UnsafePointer<Float>>.stride / MemoryLayout<Float>.stride
        return UnsafeMutableRawPointer(tensor(Dimensions(count * floatsPerPointer)).pointer)
            .bindMemory(to: UnsafePointer<Float>.self, capacity: count)
    }

    /// A position to return to with ``release(to:)``.
    public struct Mark: Sendable {
        fileprivate let used: Int
        fileprivate let overflowUsed: Int
    }

    /// The current fill level.
    public func mark() -> Mark { Mark(used: used, overflowUsed: overflowUsed) }

    /// Gives back every tensor taken since `mark`; their memory is reused by later requests (overflow blocks are
    /// freed).
    public func release(to mark: Mark) {
        used = mark.used
        overflowUsed = mark.overflowUsed
        while let last = overflow.last, last.start >= mark.overflowUsed { overflow.removeLast() }
    }
}
