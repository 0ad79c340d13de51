/// A Float32 N-dimensional tensor: a view (shape, element strides, offset) on shared ``TensorStorage``.
///
/// Views share storage: ``slice(_:_:)``, ``transposed(_:_:)``, ``permuted(_:)`` and ``reshaped(_:)`` never copy.
/// Writing through a view writes the storage (reference semantics, as in PyTorch or ggml). Kernels take
/// contiguous row-major tensors; ``contiguous()`` makes a packed copy of any view.
public struct Tensor: @unchecked Sendable {
    /// The memory this tensor views.
    public let storage: TensorStorage
    /// Size of each dimension.
    public let shape: Dimensions
    /// Distance in elements between neighbours along each dimension.
    public let strides: Dimensions
    /// Position of element `[0, 0, ...]` in the storage.
    public let offset: Int

    /// A new zero-filled contiguous tensor.
    public init(zeros shape: Dimensions) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        self.init(storage: TensorStorage(count: shape.product), shape: shape)
    }

    /// A contiguous tensor holding `values` in row-major order.
    public init(shape: Dimensions, values: [Float]) {
        precondition(shape.product == values.count, "shape \(shape) does not hold \(values.count) values")
        self.init(zeros: shape)
        values.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { storage.base.update(from: s, count: values.count) }
        }
    }

    /// A contiguous row-major view of `storage` starting at `offset`.
    public init(storage: TensorStorage, shape: Dimensions, offset: Int = 0) {
        self.init(storage: storage, shape: shape, strides: Tensor.rowMajorStrides(shape), offset: offset)
    }

    /// A view with explicit strides.
    public init(storage: TensorStorage, shape: Dimensions, strides: Dimensions, offset: Int) {
        precondition(shape.count == strides.count, "shape \(shape) and strides \(strides) differ in rank")
        let count = shape.product
        if count > 0 {
            var low = offset, high = offset
            for (n, s) in zip(shape, strides) {
                if s >= 0 { high += (n - 1) * s } else { low += (n - 1) * s }
            }
            precondition(low >= 0 && high < storage.count,
                         "view shape \(shape) strides \(strides) offset \(offset) outside storage of \(storage.count)")
        }
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
    }

    /// Strides of a packed row-major tensor of `shape`.
    public static func rowMajorStrides(_ shape: Dimensions) -> Dimensions {
        var strides = Dimensions(repeating: 1, count: shape.count)
        var step = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = step
            step *= shape[d]
        }
        return strides
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { shape.product }
    /// True when the elements are packed in row-major order.
    public var isContiguous: Bool { strides == Tensor.rowMajorStrides(shape) || count <= 1 }

    /// Pointer to element `[0, 0, ...]`. Valid while this tensor (or its storage) is alive.
    public var pointer: UnsafeMutablePointer<Float> { storage.base + offset }

    /// Element access by full index.
    public subscript(_ index: Int...) -> Float {
        get { storage.base[elementOffset(index)] }
        nonmutating set { storage.base[elementOffset(index)] = newValue }
    }

    private func elementOffset(_ index: [Int]) -> Int {
        precondition(index.count == rank, "index \(index) for rank-\(rank) tensor")
        var position = offset
        for d in 0..<rank {
            precondition(index[d] >= 0 && index[d] < shape[d], "index \(index) outside shape \(shape)")
            position += index[d] * strides[d]
        }
        return position
    }

    /// The sub-range `range` of dimension `dim`, sharing storage.
    public func slice(_ dim: Int, _ range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[dim], "slice \(range) outside \(shape[dim])")
        var newShape = shape
        newShape[dim] = range.count
        return Tensor(storage: storage, shape: newShape, strides: strides,
                      offset: offset + range.lowerBound * strides[dim])
    }

    /// Entry `index` of the first dimension as a tensor of the remaining dimensions, sharing storage (one map
    /// of a batch `[N, H, W, C]` as `[H, W, C]`).
    public func subtensor(_ index: Int) -> Tensor {
        precondition(rank > 1 && index >= 0 && index < shape[0], "entry \(index) of \(shape)")
        return Tensor(storage: storage, shape: Dimensions(shape.dropFirst()), strides: Dimensions(strides.dropFirst()),
                      offset: offset + index * strides[0])
    }

    /// Dimensions `a` and `b` swapped, sharing storage.
    public func transposed(_ a: Int, _ b: Int) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(a, b)
        return permuted(order)
    }

    /// Dimensions reordered: dimension `d` of the result is dimension `order[d]` of this tensor.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "\(order) is not a permutation of 0..<\(rank)")
        return Tensor(storage: storage, shape: Dimensions(order.map { shape[$0] }),
                      strides: Dimensions(order.map { strides[$0] }), offset: offset)
    }

    /// The same elements with another shape; the tensor must be contiguous.
    public func reshaped(_ newShape: Dimensions) -> Tensor {
        precondition(isContiguous, "reshape of a non-contiguous view; call contiguous() first")
        precondition(newShape.product == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(storage: storage, shape: newShape, offset: offset)
    }

    /// This tensor when it is already packed row-major, else a packed row-major copy.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        let out = Tensor(zeros: shape)
        copy(to: out)
        return out
    }

    /// Copies every element into `destination`, which must have the same shape (any strides).
    public func copy(to destination: Tensor) {
        precondition(destination.shape == shape, "copy from \(shape) to \(destination.shape)")
        guard count > 0 else { return }
        let src = storage.base, dst = destination.storage.base
        var index = Dimensions(repeating: 0, count: rank)
        var s = offset, d = destination.offset
        let inner = rank - 1
        while true {
            if rank == 0 {
                dst[d] = src[s]
                return
            }
            let n = shape[inner], ss = strides[inner], ds = destination.strides[inner]
            for i in 0..<n { dst[d + i * ds] = src[s + i * ss] }
            var dim = inner - 1
            while dim >= 0 {
                index[dim] += 1
                s += strides[dim]
                d += destination.strides[dim]
                if index[dim] < shape[dim] { break }
                s -= shape[dim] * strides[dim]
                d -= shape[dim] * destination.strides[dim]
                index[dim] = 0
                dim -= 1
            }
            if dim < 0 { return }
        }
    }

    /// All elements in row-major order.
    public func toArray() -> [Float] {
        let packed = contiguous()
        return Array(UnsafeBufferPointer(start: packed.pointer, count: count))
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) {
        if isContiguous {
            pointer.update(repeating: value, count: count)
        } else {
            let source = Tensor(storage: TensorStorage(count: 1), shape: shape,
                                strides: Dimensions(repeating: 0, count: rank), offset: 0)
            source.storage.base[0] = value
            source.copy(to: self)
        }
    }
}
