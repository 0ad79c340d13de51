/// Pointwise kernels over contiguous tensors, vectorised and split over the thread pool.
///
/// Inputs and outputs may be the same tensor (in-place). Shapes must match exactly, except where a
/// parameter says it broadcasts.
public enum Elementwise {
    /// Elements one task handles: large enough that a fork pays for itself, small enough to balance.
    static let grain = 1 << 15

    /// Runs `body` on consecutive ranges of `0..<count`, each a multiple of 16 long except the last.
    @inline(__always) static func chunks(_ count: Int, _ pool: ThreadPool, _ body: (Range<Int>) -> Void) {
        let tasks = max(1, min(pool.threadCount * 4, (count + grain - 1) / grain))
        let size = ((count + tasks - 1) / tasks + 15) / 16 * 16
        pool.parallelFor((count + size - 1) / max(size, 1)) { t, _ in body((t * size)..<min(count, (t + 1) * size)) }
    }

    /// Checks that `b` is contiguous and holds as many elements as `a` (also contiguous). Fixed arity, not
    /// variadic: a variadic list would allocate an array on every kernel call.
    static func checkSame(_ a: Tensor, _ b: Tensor, function: StaticString = #function) {
        precondition(a.isContiguous && b.isContiguous, "\(function): tensors \(a.shape), \(b.shape) must be contiguous")
        precondition(a.count == b.count, "\(function): shapes \(a.shape) and \(b.shape) differ")
    }

    static func checkSame(_ a: Tensor, _ b: Tensor, _ c: Tensor, function: StaticString = #function) {
        checkSame(a, b, function: function)
        checkSame(a, c, function: function)
    }

    /// out = a + b.
    public static func add(_ a: Tensor, _ b: Tensor, into out: Tensor, pool: ThreadPool = .shared) {
        checkSame(a, b, out)
        let pa = a.pointer, pb = b.pointer, po = out.pointer
        chunks(out.count, pool) { r in zipVectors(pa + r.lowerBound, pb + r.lowerBound, po + r.lowerBound, r.count, +) }
    }

    /// out[0..<count] = a[0..<count] + b[0..<count] on raw rows, for fused layers inside their own pool tasks
    /// (any of the three may alias).
    @inlinable @inline(__always)
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                           count: Int) {
        zipVectors(a, b, out, count, +)
    }

    /// out = a * b.
    public static func multiply(_ a: Tensor, _ b: Tensor, into out: Tensor, pool: ThreadPool = .shared) {
        checkSame(a, b, out)
        let pa = a.pointer, pb = b.pointer, po = out.pointer
        chunks(out.count, pool) { r in zipVectors(pa + r.lowerBound, pb + r.lowerBound, po + r.lowerBound, r.count, *) }
    }

    /// y = alpha * x + y.
    public static func axpy(alpha: Float, x: Tensor, y: Tensor, pool: ThreadPool = .shared) {
        checkSame(x, y)
        let px = x.pointer, py = y.pointer
        chunks(y.count, pool) { r in
            zipVectors(px + r.lowerBound, py + r.lowerBound, py + r.lowerBound, r.count) { $1.addingProduct($0, alpha) }
        }
    }

    /// out = activation(x).
    public static func apply(_ activation: Activation, _ x: Tensor, into out: Tensor, pool: ThreadPool = .shared) {
        checkSame(x, out)
        let px = x.pointer, po = out.pointer
        chunks(out.count, pool) { r in activation.apply(px + r.lowerBound, po + r.lowerBound, r.count) }
    }

    /// out = min(max(x, lower), upper), bounds per position of the last dimension (`lower` and `upper` hold
    /// `x.shape.last` values, one per channel of a channels-last tensor). NaN stays NaN.
    public static func clip(_ x: Tensor, lower: [Float], upper: [Float], into out: Tensor, pool: ThreadPool = .shared) {
        checkSame(x, out)
        let channels = x.shape.last ?? 1
        precondition(lower.count == channels && upper.count == channels,
                     "clip: \(lower.count) lower and \(upper.count) upper bounds for \(channels) channels")
        let rows = x.count / max(channels, 1)
        let px = x.pointer, po = out.pointer
        lower.withUnsafeBufferPointer { lo in
            upper.withUnsafeBufferPointer { hi in
                let lo = lo.baseAddress!, hi = hi.baseAddress!
                pool.parallelRanges(rows, grain: max(1, grain / max(channels, 1))) { rowRange in
                    for row in rowRange {
                        let base = row * channels
                        var c = 0
                        while c < channels {
                            let n = min(lanes, channels - c)
                            let l = n == lanes ? lo.vector(at: c) : loadPartial(lo + c, n)
                            let h = n == lanes ? hi.vector(at: c) : loadPartial(hi + c, n)
                            var v = n == lanes ? px.vector(at: base + c) : loadPartial(px + base + c, n)
                            v = v.replacing(with: l, where: v .< l).replacing(with: h, where: v .> h)
                            if n == lanes { po.store(v, at: base + c) } else { storePartial(v, po + base + c, n) }
                            c += n
                        }
                    }
                }
            }
        }
    }

    /// out = mask != 0 ? a : b. `mask` has either the shape of `a` or the leading dimensions of it, in which
    /// case each mask element selects a whole trailing block (a land mask over channels-last state).
    public static func select(mask: Tensor, _ a: Tensor, _ b: Tensor, into out: Tensor, pool: ThreadPool = .shared) {
        checkSame(a, b, out)
        precondition(mask.isContiguous && mask.count > 0 || out.count == 0, "select: mask must be contiguous")
        precondition(out.count == 0 || out.count % mask.count == 0,
                     "select: mask of \(mask.shape) does not broadcast over \(out.shape)")
        let inner = out.count == 0 ? 1 : out.count / mask.count
        let pm = mask.pointer, pa = a.pointer, pb = b.pointer, po = out.pointer
        if inner == 1 {
            chunks(out.count, pool) { r in
                var i = r.lowerBound
                while i < r.upperBound {
                    let n = min(lanes, r.upperBound - i)
                    let m = n == lanes ? pm.vector(at: i) : loadPartial(pm + i, n)
                    let va = n == lanes ? pa.vector(at: i) : loadPartial(pa + i, n)
                    let vb = n == lanes ? pb.vector(at: i) : loadPartial(pb + i, n)
                    let v = vb.replacing(with: va, where: m .!= 0)
                    if n == lanes { po.store(v, at: i) } else { storePartial(v, po + i, n) }
                    i += n
                }
            }
        } else {
            pool.parallelRanges(mask.count, grain: max(1, grain / inner)) { cells in
                for cell in cells {
                    let source = pm[cell] != 0 ? pa : pb
                    let base = cell * inner
                    if source + base != po + base { (po + base).update(from: source + base, count: inner) }
                }
            }
        }
    }
}
