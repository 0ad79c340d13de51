import CKernels

/// A weight matrix W `[K, N]` packed once, at load, for ``PackedGEMM``: panels of 48 columns (32 in fp32
/// builds without AVX-512), each contiguous over K, so that a product streams the weights and never repacks
/// them (OpenBLAS repacks W on every call, which costs more than the product for the tall-thin shapes of a
/// forecast network). In bf16 the panels hold pairs of consecutive rows rounded to bf16, the layout the bf16
/// dot-product instructions multiply; K is then split into segments of `segment` rows (a convolution's taps),
/// each padded to an even length.
public struct PackedMatrix: Sendable {
    /// Rows of W (the reduction length).
    public let k: Int
    /// Columns of W (output features).
    public let n: Int
    /// The arithmetic of every product with this matrix.
    public let precision: MatrixPrecision
    /// fp32 values, or bf16 pairs in 32-bit words.
    let storage: Tensor

    /// Packs `w`, a contiguous `[K, N]` matrix, for products in `precision`; in bf16, `segment` (a divisor of K,
    /// K itself by default) is the length of the runs of rows that row pointers address (``PackedGEMM/multiplyRows(_:taps:m:_:into:bias:epilogue:firstRow:)``).
    public init(_ w: Tensor, precision: MatrixPrecision = .fp32, segment: Int? = nil) {
        precondition(w.rank == 2 && w.isContiguous, "PackedMatrix takes a contiguous [K, N] matrix, got \(w.shape)")
        k = w.shape[0]
        n = w.shape[1]
        self.precision = precision
        switch precision {
        case .fp32:
            storage = Tensor(zeros: Dimensions(fd_gemm_packed_count(k, n)))
            fd_gemm_pack(w.pointer, k, n, storage.pointer)
        case .bf16:
            let segment = segment ?? k
            precondition(segment > 0 && k % segment == 0, "bf16 segment \(segment) does not divide K = \(k)")
            storage = Tensor(zeros: Dimensions(fd_gemm_bf16_packed_count(k, segment, n)))
            fd_gemm_bf16_pack(w.pointer, k, segment, n, words)
        }
    }

    /// The storage as bf16 pairs.
    var words: UnsafeMutablePointer<UInt32> { UnsafeMutableRawPointer(storage.pointer).assumingMemoryBound(to: UInt32.self) }
}

/// Products with packed weights and fused epilogues, in the forms the network's layers need: a strided matrix
/// (Linear), or row pointers per kernel tap (a convolution reading its input pixels in place).
public enum PackedGEMM {
    /// Rows one task multiplies: its C block (rows x N) stays in L2 while the weights stream past.
    public static let rowsPerTask = 192

    /// Rows for a layer that stages `width` floats per row in scratch (gathered patches, an output to
    /// scatter): the staged block stays within half of L2.
    public static func stagedRows(width: Int) -> Int { max(16, min(rowsPerTask, 131_072 / max(width, 1))) }

    /// C[M, N] = A[M, K] W, then `epilogue`, split over the pool by row blocks.
    public static func multiply(_ a: Tensor, _ w: PackedMatrix, bias: Tensor?, epilogue: Epilogue, into c: Tensor,
                                pool: ThreadPool = .shared) {
        precondition(a.rank == 2 && c.rank == 2 && a.isContiguous && c.isContiguous, "PackedGEMM takes contiguous matrices")
        let m = a.shape[0]
        precondition(a.shape[1] == w.k && c.shape == Dimensions(m, w.n), "PackedGEMM shapes \(a.shape) x [\(w.k), \(w.n)] -> \(c.shape)")
        let pb = GEMM.checkEpilogue(epilogue, bias: bias, n: w.n, c: c)
        guard m > 0, w.n > 0 else { return }
        let pa = a.pointer, pc = c.pointer, k = w.k, n = w.n
        let size = min(rowsPerTask, max(16, (m + 2 * pool.threadCount - 1) / (2 * pool.threadCount)))
        pool.parallelFor((m + size - 1) / size) { t, _ in
            let first = t * size
            multiplyRows(pa + first * k, rowStride: k, m: min(size, m - first), w, into: pc + first * n, bias: pb,
                         epilogue: epilogue, firstRow: first)
        }
    }

    /// One thread's rows of a strided A: C[m, N] = A[m, K] W plus the epilogue.
    @inline(__always)
    public static func multiplyRows(_ a: UnsafePointer<Float>, rowStride: Int, m: Int, _ w: PackedMatrix,
                                    into c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                                    epilogue: Epilogue, firstRow: Int) {
        let inPlace = GEMM.residualIsOutput(epilogue, c, firstRow: firstRow, n: w.n)
        switch w.precision {
        case .fp32: fd_gemm_strided(a, rowStride, w.k, m, w.storage.pointer, w.n, c, w.n, inPlace ? 1 : 0)
        case .bf16: fd_gemm_bf16_strided(a, rowStride, w.k, m, w.words, w.n, c, w.n, inPlace ? 1 : 0)
        }
        GEMM.applyEpilogue(c, m: m, n: w.n, bias: bias, epilogue: epilogue, firstRow: firstRow, inPlace: inPlace)
    }

    /// One thread's rows given by pointers: C[m, N] = sum over taps t of A_t W_t plus the epilogue, where
    /// `rows[p * taps + t]` points at the `K / taps` inputs of row p's tap t.
    @inline(__always)
    public static func multiplyRows(_ rows: UnsafePointer<UnsafePointer<Float>>, taps: Int, m: Int, _ w: PackedMatrix,
                                    into c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                                    epilogue: Epilogue, firstRow: Int) {
        let inPlace = GEMM.residualIsOutput(epilogue, c, firstRow: firstRow, n: w.n)
        let optionalRows = UnsafeRawPointer(rows).assumingMemoryBound(to: UnsafePointer<Float>?.self)
        switch w.precision {
        case .fp32: fd_gemm_rows(optionalRows, taps, w.k / taps, m, w.storage.pointer, w.n, c, w.n, inPlace ? 1 : 0)
        case .bf16: fd_gemm_bf16_rows(optionalRows, taps, w.k / taps, m, w.words, w.n, c, w.n, inPlace ? 1 : 0)
        }
        GEMM.applyEpilogue(c, m: m, n: w.n, bias: bias, epilogue: epilogue, firstRow: firstRow, inPlace: inPlace)
    }
}
