import CBLAS

/// What a GEMM does to its output rows while they are still in cache.
public enum Epilogue {
    /// C = A W.
    case none
    /// C = A W + bias.
    case bias
    /// C = activation(A W + bias).
    case biasActivation(Activation)
    /// C = A W + bias + residual (a tensor of C's shape). The residual may be C itself (an in-place residual
    /// update, accumulated by the GEMM), never A.
    case biasResidual(Tensor)
}

/// Matrix products through OpenBLAS `cblas_sgemm`, called single-threaded on row slices spread over the
/// ``ThreadPool`` (faster here than OpenBLAS's own threads), with fused epilogues.
public enum GEMM {
    /// OpenBLAS runs single-threaded inside our pool; set once, before the first product.
    static let singleThreadedBLAS: Void = { openblas_set_num_threads(1) }()

    /// Fewest rows one task multiplies: each `cblas_sgemm` call packs W again, so tasks are few and large
    /// (one call on a single thread; two per thread otherwise, for balance on a shared machine).
    static let minimumRowsPerTask = 32

    /// C[M, N] = A[M, K] W[K, N] followed by `epilogue` (bias of N values where the epilogue uses one).
    public static func multiply(_ a: Tensor, _ w: Tensor, bias: Tensor? = nil, epilogue: Epilogue = .none,
                                into c: Tensor, pool: ThreadPool = .shared) {
        precondition(a.rank == 2 && w.rank == 2 && c.rank == 2, "GEMM takes matrices: \(a.shape) x \(w.shape) -> \(c.shape)")
        precondition(a.isContiguous && w.isContiguous && c.isContiguous, "GEMM takes contiguous matrices")
        let m = a.shape[0], k = a.shape[1], n = w.shape[1]
        precondition(w.shape[0] == k && c.shape == Dimensions(m, n), "GEMM shapes \(a.shape) x \(w.shape) -> \(c.shape)")
        let pb = checkEpilogue(epilogue, bias: bias, n: n, c: c)
        guard m > 0, n > 0 else { return }
        let pa = a.pointer, pw = w.pointer, pc = c.pointer
        let perThread = pool.threadCount == 1 ? 1 : 2
        let tasks = max(1, min(pool.threadCount * perThread, (m + minimumRowsPerTask - 1) / minimumRowsPerTask))
        let size = (m + tasks - 1) / tasks
        pool.parallelFor((m + size - 1) / size) { t, _ in
            let rows = (t * size)..<min(m, (t + 1) * size)
            multiplyRows(pa + rows.lowerBound * k, pw, m: rows.count, n: n, k: k, into: pc + rows.lowerBound * n,
                         bias: pb, epilogue: epilogue, firstRow: rows.lowerBound)
        }
    }

    /// One thread's product of `m` rows: C[m, n] = A[m, k] W[k, n] plus the epilogue; the building block of
    /// fused layers that run it inside their own ``ThreadPool`` tasks. `firstRow` locates these rows in a
    /// residual tensor.
    @inline(__always)
    public static func multiplyRows(_ a: UnsafePointer<Float>, _ w: UnsafePointer<Float>, m: Int, n: Int, k: Int,
                             into c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, epilogue: Epilogue,
                             firstRow: Int) {
        _ = singleThreadedBLAS
        let inPlace = residualIsOutput(epilogue, c, firstRow: firstRow, n: n)
        if k == 0 {
            if !inPlace { c.update(repeating: 0, count: m * n) }
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                        a, Int32(k), w, Int32(n), inPlace ? 1 : 0, c, Int32(n))
        }
        applyEpilogue(c, m: m, n: n, bias: bias, epilogue: epilogue, firstRow: firstRow, inPlace: inPlace)
    }

    /// Checks `epilogue` against the output `c` of N columns; returns the bias the epilogue adds (nil for none).
    static func checkEpilogue(_ epilogue: Epilogue, bias: Tensor?, n: Int, c: Tensor) -> UnsafePointer<Float>? {
        switch epilogue {
        case .none: return nil
        case .biasResidual(let r): precondition(r.isContiguous && r.shape == c.shape, "residual \(r.shape) for output \(c.shape)")
        default: break
        }
        precondition(bias?.count == n && bias!.isContiguous, "GEMM epilogue needs a bias of \(n) values")
        return UnsafePointer(bias!.pointer)
    }

    /// True when the epilogue's residual is C itself: the product then accumulates into C (beta = 1) and the
    /// epilogue adds only the bias.
    @inline(__always)
    static func residualIsOutput(_ epilogue: Epilogue, _ c: UnsafeMutablePointer<Float>, firstRow: Int, n: Int) -> Bool {
        if case .biasResidual(let r) = epilogue { return r.pointer + firstRow * n == c }
        return false
    }

    /// Bias, activation or residual on `m` finished rows of C while they are in cache.
    @inline(__always)
    static func applyEpilogue(_ c: UnsafeMutablePointer<Float>, m: Int, n: Int, bias: UnsafePointer<Float>?,
                              epilogue: Epilogue, firstRow: Int, inPlace: Bool) {
        guard let bias else { return }
        for row in 0..<m {
            let dst = c + row * n
            zipVectors(dst, bias, dst, n, +)
            switch epilogue {
            case .none, .bias: break
            case .biasActivation(let f): f.apply(dst, dst, n)
            case .biasResidual(let r): if !inPlace { zipVectors(dst, r.pointer + (firstRow + row) * n, dst, n, +) }
            }
        }
    }
}
