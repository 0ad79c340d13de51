/// Data movement on channels-last maps `[H, W, C]`: zero padding, cropping and pixel shuffle.
public enum Layout {
    /// Copies `x` `[H, W, C]` into the middle of `out` `[H + top + bottom, W + left + right, C]`, zeroing the border.
    public static func pad(_ x: Tensor, top: Int, left: Int, into out: Tensor, pool: ThreadPool = .shared) {
        precondition(x.rank == 3 && out.rank == 3 && x.isContiguous && out.isContiguous && x.shape[2] == out.shape[2],
                     "pad \(x.shape) into \(out.shape)")
        let h = x.shape[0], w = x.shape[1], c = x.shape[2], oh = out.shape[0], ow = out.shape[1]
        precondition(top >= 0 && left >= 0 && top + h <= oh && left + w <= ow, "pad \(x.shape) at (\(top), \(left)) into \(out.shape)")
        let px = x.pointer, po = out.pointer
        pool.parallelRanges(oh, grain: max(1, Elementwise.grain / max(ow * c, 1))) { rows in
            for y in rows {
                let dst = po + y * ow * c
                if y < top || y >= top + h {
                    dst.update(repeating: 0, count: ow * c)
                } else {
                    dst.update(repeating: 0, count: left * c)
                    (dst + left * c).update(from: px + (y - top) * w * c, count: w * c)
                    (dst + (left + w) * c).update(repeating: 0, count: (ow - left - w) * c)
                }
            }
        }
    }

    /// Copies the window of `x` starting at (`top`, `left`) with `out`'s height and width into `out`.
    public static func crop(_ x: Tensor, top: Int, left: Int, into out: Tensor, pool: ThreadPool = .shared) {
        precondition(x.rank == 3 && out.rank == 3 && x.isContiguous && out.isContiguous && x.shape[2] == out.shape[2],
                     "crop \(x.shape) into \(out.shape)")
        let w = x.shape[1], c = x.shape[2], oh = out.shape[0], ow = out.shape[1]
        precondition(top >= 0 && left >= 0 && top + oh <= x.shape[0] && left + ow <= w, "crop \(out.shape) at (\(top), \(left)) of \(x.shape)")
        let px = x.pointer, po = out.pointer
        pool.parallelRanges(oh, grain: max(1, Elementwise.grain / max(ow * c, 1))) { rows in
            for y in rows { (po + y * ow * c).update(from: px + ((y + top) * w + left) * c, count: ow * c) }
        }
    }

    /// Depth to space with PyTorch's `pixel_shuffle` channel order: `x` `[H, W, C r^2]` -> `out` `[H r, W r, C]`,
    /// out[y r + i, x r + j, c] = x[y, x, c r^2 + i r + j].
    public static func pixelShuffle(_ x: Tensor, factor r: Int, into out: Tensor, pool: ThreadPool = .shared) {
        precondition(x.rank == 3 && x.isContiguous && out.isContiguous, "pixelShuffle input \(x.shape)")
        let h = x.shape[0], w = x.shape[1], cr = x.shape[2], c = cr / (r * r)
        precondition(c * r * r == cr && out.shape == Dimensions(h * r, w * r, c), "pixelShuffle \(x.shape) by \(r) into \(out.shape)")
        let px = x.pointer, po = out.pointer
        pool.parallelRanges(h, grain: max(1, Elementwise.grain / max(w * cr, 1))) { rows in
            for y in rows {
                for xx in 0..<w {
                    let src = px + (y * w + xx) * cr
                    for i in 0..<r {
                        for j in 0..<r {
                            let dst = po + ((y * r + i) * w * r + xx * r + j) * c
                            for ch in 0..<c { dst[ch] = src[ch * r * r + i * r + j] }
                        }
                    }
                }
            }
        }
    }
}
