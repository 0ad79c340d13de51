/// A tensor's shape or strides: up to ``Dimensions/maximumRank`` integers stored inline, so that making a
/// tensor view never touches the heap (a forward pass allocates nothing once its arena is planned).
public struct Dimensions: RandomAccessCollection, MutableCollection, Hashable, Sendable, ExpressibleByArrayLiteral,
    CustomStringConvertible {
    /// Most dimensions a tensor may have.
    public static let maximumRank = 6

    @usableFromInline var values: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)
    /// Number of dimensions.
    public let count: Int

    @inlinable init(values: (Int, Int, Int, Int, Int, Int), count: Int) {
        self.values = values
        self.count = count
    }

    /// Dimensions from any sequence of at most ``maximumRank`` integers.
    public init<S: Sequence>(_ sequence: S) where S.Element == Int {
        var n = 0
        var values = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &values) { raw in
            let p = raw.bindMemory(to: Int.self)
            for v in sequence {
                precondition(n < Self.maximumRank, "more than \(Self.maximumRank) dimensions")
                p[n] = v
                n += 1
            }
        }
        self.values = values
        count = n
    }

    /// `count` copies of `value`.
    public init(repeating value: Int, count: Int) {
        self.init((0..<count).lazy.map { _ in value })
    }

    /// One dimension.
    @inlinable public init(_ d0: Int) { self.init(values: (d0, 0, 0, 0, 0, 0), count: 1) }
    /// Two dimensions.
    @inlinable public init(_ d0: Int, _ d1: Int) { self.init(values: (d0, d1, 0, 0, 0, 0), count: 2) }
    /// Three dimensions.
    @inlinable public init(_ d0: Int, _ d1: Int, _ d2: Int) { self.init(values: (d0, d1, d2, 0, 0, 0), count: 3) }
    /// Four dimensions.
    @inlinable public init(_ d0: Int, _ d1: Int, _ d2: Int, _ d3: Int) {
        self.init(values: (d0, d1, d2, d3, 0, 0), count: 4)
    }
    /// Five dimensions.
    @inlinable public init(_ d0: Int, _ d1: Int, _ d2: Int, _ d3: Int, _ d4: Int) {
        self.init(values: (d0, d1, d2, d3, d4, 0), count: 5)
    }

    /// From a literal. Builds a temporary array: hot paths use the fixed-rank initialisers instead.
    @inlinable @inline(__always)
    public init(arrayLiteral elements: Int...) {
        precondition(elements.count <= Self.maximumRank, "more than \(Self.maximumRank) dimensions")
        var values = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &values) { raw in
            for (i, v) in elements.enumerated() { raw.storeBytes(of: v, toByteOffset: i * MemoryLayout<Int>.stride, as: Int.self) }
        }
        self.values = values
        count = elements.count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Int {
        get {
            precondition(position >= 0 && position < count, "dimension \(position) of \(count)")
            return withUnsafeBytes(of: values) { $0.load(fromByteOffset: position * MemoryLayout<Int>.stride, as: Int.self) }
        }
        set {
            precondition(position >= 0 && position < count, "dimension \(position) of \(count)")
            withUnsafeMutableBytes(of: &values) { $0.storeBytes(of: newValue, toByteOffset: position * MemoryLayout<Int>.stride, as: Int.self) }
        }
    }

    /// Product of the dimensions (1 for rank 0).
    public var product: Int {
        var p = 1
        for v in self { p *= v }
        return p
    }

    public static func == (a: Dimensions, b: Dimensions) -> Bool {
        a.count == b.count && a.elementsEqual(b)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for v in self { hasher.combine(v) }
    }

    public var description: String { "[" + map(String.init).joined(separator: ", ") + "]" }
}
