/// The vector type every kernel computes with: 16 floats, one AVX-512 register (two AVX2 registers).
public typealias Vector = SIMD16<Float>

/// Lanes in a ``Vector``.
@usableFromInline let lanes = 16

extension UnsafePointer where Pointee == Float {
    /// The 16 floats at `self + index`, any alignment.
    @inline(__always) @usableFromInline func vector(at index: Int) -> Vector {
        UnsafeRawPointer(self + index).loadUnaligned(as: Vector.self)
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    /// The 16 floats at `self + index`, any alignment.
    @inline(__always) @usableFromInline func vector(at index: Int) -> Vector {
        UnsafeRawPointer(self + index).loadUnaligned(as: Vector.self)
    }

    /// Stores 16 floats at `self + index`, any alignment.
    @inline(__always) @usableFromInline func store(_ v: Vector, at index: Int) {
        UnsafeMutableRawPointer(self + index).storeBytes(of: v, as: Vector.self)
    }
}

/// The first `count` (< 16) floats at `pointer`, the other lanes set to `fill`.
@inline(__always) @usableFromInline
func loadPartial(_ pointer: UnsafePointer<Float>, _ count: Int, fill: Float = 0) -> Vector {
    var v = Vector(repeating: fill)
    for i in 0..<count { v[i] = pointer[i] }
    return v
}

/// Stores the first `count` (< 16) lanes of `v` at `pointer`.
@inline(__always) @usableFromInline
func storePartial(_ v: Vector, _ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
    for i in 0..<count { pointer[i] = v[i] }
}

/// Sum of the lanes, as a halving tree.
@inline(__always) @usableFromInline func horizontalSum(_ v: Vector) -> Float {
    let a = v.lowHalf + v.highHalf
    let b = a.lowHalf + a.highHalf
    let c = b.lowHalf + b.highHalf
    return c[0] + c[1]
}

/// Applies `f` to every element of `source` (count `n`), writing `destination` (may be the same memory).
@inline(__always) @usableFromInline
func mapVectors(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, _ n: Int,
                _ f: (Vector) -> Vector) {
    var i = 0
    while i + lanes <= n {
        destination.store(f(source.vector(at: i)), at: i)
        i += lanes
    }
    if i < n { storePartial(f(loadPartial(source + i, n - i)), destination + i, n - i) }
}

/// Combines `a` and `b` element by element into `destination` (any of them may alias).
@inline(__always) @usableFromInline
func zipVectors(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>,
                _ n: Int, _ f: (Vector, Vector) -> Vector) {
    var i = 0
    while i + lanes <= n {
        destination.store(f(a.vector(at: i), b.vector(at: i)), at: i)
        i += lanes
    }
    if i < n {
        storePartial(f(loadPartial(a + i, n - i), loadPartial(b + i, n - i)), destination + i, n - i)
    }
}
