import CKernels

/// Window multi-head self-attention (Swin), fused: for every window and head, QK^T * scale + relative-position
/// bias + shift mask, softmax, times V, in one pass over the window in registers and L1, reading q, k, v
/// straight from the `[tokens, 3C]` projection through ``WindowGeometry`` (no partition, roll or transpose
/// copies) and writing the result straight back to `[tokens, C]`. Parallel over windows x heads.
///
/// The layout of `qkv` is PyTorch Swin's: columns `[q | k | v]`, each `heads x headDim` with the head outer.
public enum WindowAttention {
    /// out[token, h * d + i] = attention of `qkv` over each window. `out` must not alias `qkv`.
    public static func fused(qkv: Tensor, geometry g: WindowGeometry, heads: Int, bias: RelativePositionBias,
                             into out: Tensor, arena: Arena, pool: ThreadPool = .shared) {
        let tokens = g.tokenCount
        precondition(qkv.rank == 2 && qkv.shape[0] == tokens && qkv.shape[1] % (3 * heads) == 0 && qkv.isContiguous,
                     "attention input \(qkv.shape) for \(tokens) tokens and \(heads) heads")
        let c = qkv.shape[1] / 3, hd = c / heads
        precondition(out.shape == Dimensions(tokens, c) && out.isContiguous, "attention output \(out.shape), expected \([tokens, c])")
        precondition(bias.heads == heads && bias.window == g.window, "bias for \(bias.heads) heads, window \(bias.window)")
        let n = g.tokensPerWindow, np = RelativePositionBias.paddedTokens(g.window)
        let keyVectors = np / lanes, valueVectors = (hd + lanes - 1) / lanes, hdp = valueVectors * lanes
        let scale = 1 / Float(hd).squareRoot()
        // Per thread: K^T [hd, np], V [n, hdp], scores [4, np], region labels [np]; the window's tokens on the stack.
        let perThread = hd * np + n * hdp + 4 * np + np
        let mark = arena.mark()
        defer { arena.release(to: mark) }
        let scratch = arena.tensor(Dimensions(pool.threadCount, perThread)).pointer
        let pq = qkv.pointer, po = out.pointer, pbias = bias.expanded.pointer
        let rowStride = 3 * c

        pool.parallelFor(g.windowCount * heads) { task, thread in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { buffer in
                let window = task / heads, h = task % heads, tokens = buffer.baseAddress!
                let kt = scratch + thread * perThread, v = kt + hd * np, scores = v + n * hdp, labels = scores + 4 * np
                let masked = g.needsMask(window: window)
                // The window's rows lie far apart in `qkv`: ask for all their q, k and v lines of this head at once, so
                // that the misses overlap instead of each stalling the gather in turn.
                g.tokens(window: window, into: tokens)
                prefetch(pq, tokens: tokens, count: n, first: h * hd, width: hd, stride: rowStride, parts: 3, partStride: c)
                // Gather K^T and V of this window and head; pad K^T's extra key columns and V's extra lanes with 0.
                for p in 0..<n {
                    let src = pq + (tokens[p] &* rowStride &+ h &* hd)
                    for d in 0..<hd { kt[d &* np &+ p] = src[c &+ d] }
                    (v + p * hdp).update(from: src + 2 * c, count: hd)
                    (v + p * hdp + hd).update(repeating: 0, count: hdp - hd)
                    if masked { labels[p] = Float(g.region(window: window, cell: p)) }
                }
                if np > n { for d in 0..<hd { (kt + d * np + n).update(repeating: 0, count: np - n) } }
                if masked { (labels + n).update(repeating: -1, count: np - n) }

                var i = 0
                while i < n {
                    let rows = min(4, n - i)
                    let t0 = tokens[i], t1 = tokens[i + min(1, rows - 1)]
                    let t2 = tokens[i + min(2, rows - 1)], t3 = tokens[i + min(3, rows - 1)]
                    let q0 = pq + t0 * rowStride + h * hd, q1 = pq + t1 * rowStride + h * hd
                    let q2 = pq + t2 * rowStride + h * hd, q3 = pq + t3 * rowStride + h * hd
                    // Scores for 4 query rows: 4 accumulators per 16 keys, one K^T load per 4 FMAs.
                    for jv in 0..<keyVectors {
                        var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector()
                        for d in 0..<hd {
                            let k = kt.vector(at: d * np + jv * lanes)
                            a0 = a0.addingProduct(k, q0[d])
                            a1 = a1.addingProduct(k, q1[d])
                            a2 = a2.addingProduct(k, q2[d])
                            a3 = a3.addingProduct(k, q3[d])
                        }
                        let column = jv * lanes
                        let b = pbias + (h * n + i) * np + column
                        scores.store(b.vector(at: 0).addingProduct(a0, scale), at: column)
                        if rows > 1 { scores.store(b.vector(at: np).addingProduct(a1, scale), at: np + column) }
                        if rows > 2 { scores.store(b.vector(at: 2 * np).addingProduct(a2, scale), at: 2 * np + column) }
                        if rows > 3 { scores.store(b.vector(at: 3 * np).addingProduct(a3, scale), at: 3 * np + column) }
                    }
                    for r in 0..<rows {
                        let row = scores + r * np
                        if masked {
                            let own = Vector(repeating: labels[i + r])
                            var jv = 0
                            while jv < np {
                                let s = row.vector(at: jv)
                                row.store(s.replacing(with: s + WindowGeometry.maskValue, where: labels.vector(at: jv) .!= own), at: jv)
                                jv += lanes
                            }
                        }
                        Softmax.softmaxRow(row, row, np)
                    }
                    // Output for the 4 rows: one V load per 4 FMAs, written straight to [tokens, C].
                    for vv in 0..<valueVectors {
                        var o0 = Vector(), o1 = Vector(), o2 = Vector(), o3 = Vector()
                        for j in 0..<n {
                            let x = v.vector(at: j * hdp + vv * lanes)
                            o0 = o0.addingProduct(x, scores[j])
                            o1 = o1.addingProduct(x, scores[np + j])
                            o2 = o2.addingProduct(x, scores[2 * np + j])
                            o3 = o3.addingProduct(x, scores[3 * np + j])
                        }
                        let width = min(lanes, hd - vv * lanes), column = h * hd + vv * lanes
                        store(o0, po + t0 * c + column, width)
                        if rows > 1 { store(o1, po + t1 * c + column, width) }
                        if rows > 2 { store(o2, po + t2 * c + column, width) }
                        if rows > 3 { store(o3, po + t3 * c + column, width) }
                    }
                    i += rows
                }
            }
        }
    }

    /// Asks for the cache lines of `parts` runs of `width` floats (`partStride` apart, from column `first`) of each
    /// row `tokens[0 ..< count]` of `base` (rows `stride` floats apart).
    @inline(__always) private static func prefetch(_ base: UnsafePointer<Float>, tokens: UnsafePointer<Int>, count: Int, first: Int,
                                                   width: Int, stride: Int, parts: Int, partStride: Int) {
        for p in 0..<count {
            let row = base + (tokens[p] &* stride &+ first)
            for part in 0..<parts {
                let start = part &* partStride
                var offset = start
                while offset < start &+ width { fd_prefetch(row + offset); offset &+= lanes }
                fd_prefetch(row + (start &+ width &- 1))
            }
        }
    }

    @inline(__always) private static func store(_ v: Vector, _ destination: UnsafeMutablePointer<Float>, _ width: Int) {
        if width == lanes { destination.store(v, at: 0) } else { storePartial(v, destination, width) }
    }
}
