/// Normalisation layers over channels-last activations `[tokens, C]`.
public enum Normalization {
    /// LayerNorm over the last dimension: y = (x - mean) / sqrt(var + eps) * gamma + beta, row by row.
    /// `gamma` and `beta` hold C values each (contiguous tensors of shape [C]).
    public static func layerNorm(_ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5, into out: Tensor,
                                 pool: ThreadPool = .shared) {
        Elementwise.checkSame(x, out)
        let c = x.shape.last ?? 0
        precondition(gamma.count == c && beta.count == c, "layerNorm: gamma/beta of \(gamma.count)/\(beta.count) for C=\(c)")
        guard c > 0 else { return }
        let rows = x.count / c
        let px = x.pointer, po = out.pointer, pg = gamma.pointer, pb = beta.pointer
        let full = c / lanes * lanes, rest = c - full
        pool.parallelRanges(rows, grain: max(1, Elementwise.grain / c)) { range in
            for row in range {
                let src = px + row * c, dst = po + row * c
                var s = Vector(), i = 0
                while i < full { s += src.vector(at: i); i += lanes }
                if rest > 0 { s += loadPartial(src + full, rest) }
                let mean = horizontalSum(s) / Float(c)
                var q = Vector()
                i = 0
                while i < full { let d = src.vector(at: i) - mean; q = q.addingProduct(d, d); i += lanes }
                if rest > 0 {
                    let d = (loadPartial(src + full, rest) - mean).replacing(with: 0, where: Self.tailMask(rest))
                    q = q.addingProduct(d, d)
                }
                let inv = 1 / (horizontalSum(q) / Float(c) + epsilon).squareRoot()
                i = 0
                while i < full {
                    let v = (src.vector(at: i) - mean) * inv
                    dst.store(pb.vector(at: i).addingProduct(v, pg.vector(at: i)), at: i)
                    i += lanes
                }
                if rest > 0 {
                    let v = (loadPartial(src + full, rest) - mean) * inv
                    storePartial(loadPartial(pb + full, rest).addingProduct(v, loadPartial(pg + full, rest)),
                                 dst + full, rest)
                }
            }
        }
    }

    /// Lanes at or past `count` set.
    @inline(__always) static func tailMask(_ count: Int) -> SIMDMask<SIMD16<Int32>> {
        SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .>= SIMD16<Int32>(repeating: Int32(count))
    }

    /// GroupNorm over a channels-last map `[pixels, C]` with `groups` groups of C / groups channels: statistics
    /// over all pixels and the group's channels, then a per-channel affine, then `activation`, then plus
    /// `residual` when given (GroupNorm + SiLU + shortcut in one pass). Statistics accumulate in Float64.
    public static func groupNorm(_ x: Tensor, groups: Int, gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5,
                                 activation: Activation = .identity, residual: Tensor? = nil, into out: Tensor,
                                 arena: Arena, pool: ThreadPool = .shared) {
        Elementwise.checkSame(x, out)
        if let residual { Elementwise.checkSame(x, residual) }
        let c = x.shape.last ?? 0
        precondition(groups > 0 && c % groups == 0, "groupNorm: \(c) channels do not split into \(groups) groups")
        precondition(gamma.count == c && beta.count == c, "groupNorm: gamma/beta of \(gamma.count)/\(beta.count) for C=\(c)")
        guard c > 0, x.count > 0 else { return }
        let pixels = x.count / c, perGroup = c / groups
        let px = x.pointer, po = out.pointer
        // Per task partial sums [tasks][groups][sum, sum of squares] in Float64, reduced below; then the
        // per-channel scale and shift. Scratch from the arena (Float64 as pairs of floats).
        let tasks = max(1, min(pool.threadCount * 4, pixels))
        let block = (pixels + tasks - 1) / tasks
        let mark = arena.mark()
        defer { arena.release(to: mark) }
        let partialStorage = arena.tensor(Dimensions(tasks * groups * 2 * 2)).pointer
        let scale = arena.tensor(Dimensions(c)).pointer, shift = arena.tensor(Dimensions(c)).pointer
        partialStorage.withMemoryRebound(to: Double.self, capacity: tasks * groups * 2) { partial in
            pool.parallelFor(tasks) { t, _ in
                let range = (t * block)..<min(pixels, (t + 1) * block)
                for g in 0..<groups {
                    var s = 0.0, q = 0.0
                    for pixel in range {
                        let p = px + pixel * c + g * perGroup
                        var rs: Float = 0, rq: Float = 0
                        for k in 0..<perGroup { rs += p[k]; rq += p[k] * p[k] }
                        s += Double(rs)
                        q += Double(rq)
                    }
                    partial[(t * groups + g) * 2] = s
                    partial[(t * groups + g) * 2 + 1] = q
                }
            }
            let n = Double(pixels * perGroup)
            for g in 0..<groups {
                var s = 0.0, q = 0.0
                for t in 0..<tasks { s += partial[(t * groups + g) * 2]; q += partial[(t * groups + g) * 2 + 1] }
                let mean = s / n
                let inv = 1 / (max(q / n - mean * mean, 0) + Double(epsilon)).squareRoot()
                for k in (g * perGroup)..<((g + 1) * perGroup) {
                    scale[k] = Float(Double(gamma.pointer[k]) * inv)
                    shift[k] = Float(Double(beta.pointer[k]) - mean * Double(gamma.pointer[k]) * inv)
                }
            }
        }
        let full = c / lanes * lanes, rest = c - full
        let pr = residual?.pointer
        pool.parallelRanges(pixels, grain: max(1, Elementwise.grain / c)) { range in
            for pixel in range {
                let src = px + pixel * c, dst = po + pixel * c
                var i = 0
                while i < full {
                    dst.store(shift.vector(at: i).addingProduct(src.vector(at: i), scale.vector(at: i)), at: i)
                    i += lanes
                }
                if rest > 0 {
                    let v = loadPartial(shift + full, rest).addingProduct(loadPartial(src + full, rest),
                                                                           loadPartial(scale + full, rest))
                    storePartial(v, dst + full, rest)
                }
                activation.apply(dst, dst, c)
                if let pr { zipVectors(dst, pr + pixel * c, dst, c, +) }
            }
        }
    }
}
