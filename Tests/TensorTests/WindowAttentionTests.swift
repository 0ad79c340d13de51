import Foundation
import Tensor
import Testing

@Suite("Fused Swin window attention against a literal Float64 Swin reference")
struct WindowAttentionTests {
    let pool = ThreadPool(threads: 2)

    /// Swin as written in PyTorch: roll by -shift, partition, per window and head softmax(q k^T * scale + bias +
    /// mask) v, reverse, roll back; region masks built the way Swin builds `attn_mask`.
    static func reference(qkv: Tensor, height h: Int, width w: Int, window ws: Int, shift: Int, heads: Int,
                          table: Tensor) -> [Double] {
        let c = qkv.shape[1] / 3, hd = c / heads, n = ws * ws, span = 2 * ws - 1
        let q = qkv.toArray().map(Double.init), tv = table.toArray().map(Double.init)
        func region(_ v: Int, _ size: Int) -> Int { v < size - ws ? 0 : (v < size - shift ? 1 : 2) }
        var out = [Double](repeating: 0, count: h * w * c)
        for wy in 0..<(h / ws) { for wx in 0..<(w / ws) {
            // Shifted-grid coordinates of the window's cells, and the original tokens they hold.
            let cells = (0..<n).map { (wy * ws + $0 / ws, wx * ws + $0 % ws) }
            let tokens = cells.map { (($0.0 + shift) % h) * w + ($0.1 + shift) % w }
            for head in 0..<heads {
                for a in 0..<n {
                    var scores = [Double](repeating: 0, count: n)
                    for b in 0..<n {
                        var s = 0.0
                        for d in 0..<hd { s += q[tokens[a] * 3 * c + head * hd + d] * q[tokens[b] * 3 * c + c + head * hd + d] }
                        s /= Double(hd).squareRoot()
                        let dy = cells[a].0 - cells[b].0 + ws - 1, dx = cells[a].1 - cells[b].1 + ws - 1
                        s += tv[(dy * span + dx) * heads + head]
                        if shift > 0 {
                            let ra = 3 * region(cells[a].0, h) + region(cells[a].1, w)
                            let rb = 3 * region(cells[b].0, h) + region(cells[b].1, w)
                            if ra != rb { s += -100 }
                        }
                        scores[b] = s
                    }
                    let m = scores.max()!
                    let e = scores.map { exp($0 - m) }
                    let total = e.reduce(0, +)
                    for d in 0..<hd {
                        var o = 0.0
                        for b in 0..<n { o += e[b] / total * q[tokens[b] * 3 * c + 2 * c + head * hd + d] }
                        out[tokens[a] * c + head * hd + d] = o
                    }
                }
            }
        } }
        return out
    }

    /// Errors are relative with a floor at 10% of the output's largest magnitude (the output is a weighted mean,
    /// and Float32 sums of 64 terms leave ~1e-7 absolute error on elements near zero).
    /// The fused kernel has no GEMM: 1e-5. The unfused sequence multiplies through cblas_sgemm: 1e-4. The two
    /// agree within 1e-5 normwise (max |difference| / max |output|, as `forecastd bench kernels` reports).
    @Test("Fused attention matches the reference within 1e-5, the unfused GEMM sequence within 1e-4",
          arguments: [(16, 16, 8, 4, 3, 96), (16, 24, 8, 0, 2, 64), (14, 21, 7, 3, 3, 72), (8, 8, 8, 4, 1, 16), (14, 14, 7, 0, 2, 20)])
    func matchesReference(h: Int, w: Int, window: Int, shift: Int, heads: Int, c: Int) {
        let g = WindowGeometry(height: h, width: w, window: window, shift: shift)
        let qkv = RandomTensor.uniform([h * w, 3 * c], seed: UInt64(h * w + c), range: -1...1)
        let table = RandomTensor.uniform([(2 * window - 1) * (2 * window - 1), heads], seed: 3, range: -1...1)
        let bias = RelativePositionBias(table: table, window: window)
        let want = Self.reference(qkv: qkv, height: h, width: w, window: window, shift: shift, heads: heads, table: table)
        let fused = Tensor(zeros: [h * w, c]), unfused = Tensor(zeros: [h * w, c])
        fused.fill(.nan)
        let arena = Arena()
        WindowAttention.fused(qkv: qkv, geometry: g, heads: heads, bias: bias, into: fused, arena: arena, pool: pool)
        UnfusedWindowAttention(geometry: g, heads: heads, bias: bias)(qkv: qkv, into: unfused, arena: arena, pool: pool)
        let fusedError = Check.scaledError(fused.toArray(), want, fraction: 0.1)
        let unfusedError = Check.scaledError(unfused.toArray(), want, fraction: 0.1)
        #expect(fusedError <= 1e-5, "fused \(h)x\(w) w\(window) s\(shift) heads \(heads) C \(c): \(fusedError)")
        #expect(unfusedError <= 1e-4, "unfused: \(unfusedError)")
        let agreement = Check.scaledError(fused.toArray(), unfused.toArray().map(Double.init), fraction: 1)
        #expect(agreement <= 1e-5, "fused vs unfused: \(agreement)")
    }

    @Test("A window's tokens computed at once are each cell's token, shifted or not, in every image",
          arguments: [(16, 24, 8, 4, 1), (14, 21, 7, 3, 3), (8, 8, 8, 0, 2)])
    func windowTokens(h: Int, w: Int, window: Int, shift: Int, images: Int) {
        let g = WindowGeometry(height: h, width: w, window: window, shift: shift, images: images)
        let tokens = UnsafeMutablePointer<Int>.allocate(capacity: g.tokensPerWindow)
        defer { tokens.deallocate() }
        var seen = Set<Int>()
        for index in 0..<g.windowCount {
            g.tokens(window: index, into: tokens)
            for cell in 0..<g.tokensPerWindow {
                #expect(tokens[cell] == g.token(window: index, cell: cell), "window \(index), cell \(cell)")
                seen.insert(tokens[cell])
            }
        }
        #expect(seen == Set(0..<g.tokenCount), "the windows do not cover every token once")
    }

    @Test("A NaN in one token's value reaches only the queries of its own window")
    func nanStaysInWindow() {
        let h = 16, w = 16, c = 32, heads = 2
        let g = WindowGeometry(height: h, width: w, window: 8, shift: 0)
        let qkv = RandomTensor.uniform([h * w, 3 * c], seed: 1)
        qkv[0, 2 * c] = .nan // value of token (0, 0), head 0
        let out = Tensor(zeros: [h * w, c])
        WindowAttention.fused(qkv: qkv, geometry: g, heads: heads, bias: RelativePositionBias(zerosFor: 8, heads: heads),
                              into: out, arena: Arena(), pool: pool)
        for y in 0..<h { for x in 0..<w {
            let inFirstWindow = y < 8 && x < 8
            #expect(out[y * w + x, 0].isNaN == inFirstWindow)
            #expect(out[y * w + x, c / heads].isFinite) // head 1 untouched
        } }
    }
}
