#include "CKernels.h"
#include <string.h>

// A matrix product with the weights packed once: W [K, N] is stored as panels of NR columns, each panel
// K x NR contiguous (zero-padded past N), so the inner loop streams one panel while MR rows of A are
// broadcast one element at a time into MR x NR accumulators held in registers. A is never packed: its rows
// are read in place through pointers, which also lets a convolution feed its input pixels directly
// (indirect GEMM, no im2col copy). Written with clang vector extensions: one source for AVX-512 (8 x 48:
// 24 accumulators in zmm registers, and 48 divides every width of the network), AVX2 (4 x 32) and portable
// builds.

typedef float v16 __attribute__((ext_vector_type(16)));

#if !defined(FD_GEMM_MR)
#if defined(__AVX512F__)
#define FD_GEMM_MR 8
#define FD_GEMM_NV 3
#else
#define FD_GEMM_MR 4
#define FD_GEMM_NV 2
#endif
#endif
#define MR FD_GEMM_MR
#define NV FD_GEMM_NV
#define NR (16 * NV)
// Depth of one pass over the accumulators: a KC x N slice of the packed weights stays in L2 while every
// row block of the task streams past it, and an MR x KC block of A stays in L1 across the panels.
#define KC 256

long fd_gemm_packed_count(long k, long n) { return ((n + NR - 1) / NR) * NR * k; }

void fd_gemm_pack(const float *w, long k, long n, float *packed) {
    long panels = (n + NR - 1) / NR;
    for (long j = 0; j < panels; j++) {
        float *dst = packed + j * k * NR;
        long cols = n - j * NR < NR ? n - j * NR : NR;
        for (long kk = 0; kk < k; kk++) {
            memcpy(dst + kk * NR, w + kk * n + j * NR, (size_t)cols * sizeof(float));
            for (long c = cols; c < NR; c++) dst[kk * NR + c] = 0.0f;
        }
    }
}

static inline v16 load16(const float *p) {
    v16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void store16(float *p, v16 v) { memcpy(p, &v, sizeof v); }

// One R x NR tile: C[0..R, 0..cols) (+)= A rows [R][kc] * B panel [kc][NR], NV = NR / 16 vectors a row.
#define MICRO(R)                                                                                              \
    static void micro_##R(const float *const *a, const float *b, long kc, float *c, long ldc, long cols,     \
                          int load) {                                                                         \
        v16 acc[R][NV];                                                                                       \
        _Pragma("unroll") for (int i = 0; i < R; i++) {                                                      \
            _Pragma("unroll") for (int v = 0; v < NV; v++) acc[i][v] = 0.0f;                                  \
        }                                                                                                     \
        for (long k = 0; k < kc; k++) {                                                                       \
            v16 w[NV];                                                                                        \
            _Pragma("unroll") for (int v = 0; v < NV; v++) w[v] = *(const v16 *)(b + k * NR + 16 * v);       \
            _Pragma("unroll") for (int i = 0; i < R; i++) {                                                  \
                float x = a[i][k];                                                                            \
                _Pragma("unroll") for (int v = 0; v < NV; v++) acc[i][v] += x * w[v];                         \
            }                                                                                                 \
        }                                                                                                     \
        if (cols == NR) {                                                                                     \
            _Pragma("unroll") for (int i = 0; i < R; i++) {                                                  \
                float *row = c + i * ldc;                                                                     \
                _Pragma("unroll") for (int v = 0; v < NV; v++) {                                              \
                    if (load) acc[i][v] += load16(row + 16 * v);                                              \
                    store16(row + 16 * v, acc[i][v]);                                                         \
                }                                                                                             \
            }                                                                                                 \
        } else {                                                                                              \
            for (int i = 0; i < R; i++) {                                                                     \
                float tile[NR];                                                                               \
                for (int v = 0; v < NV; v++) store16(tile + 16 * v, acc[i][v]);                               \
                float *row = c + i * ldc;                                                                     \
                for (long j = 0; j < cols; j++) row[j] = load ? row[j] + tile[j] : tile[j];                   \
            }                                                                                                 \
        }                                                                                                     \
    }

MICRO(1)
MICRO(2)
MICRO(3)
MICRO(4)
#if MR > 4
MICRO(5)
MICRO(6)
MICRO(7)
MICRO(8)
#endif
#if MR > 8
MICRO(9)
MICRO(10)
MICRO(11)
MICRO(12)
#endif

typedef void (*micro_kernel)(const float *const *, const float *, long, float *, long, long, int);
static const micro_kernel micro[MR + 1] = {
    0, micro_1, micro_2, micro_3, micro_4,
#if MR > 4
    micro_5, micro_6, micro_7, micro_8,
#endif
#if MR > 8
    micro_9, micro_10, micro_11, micro_12,
#endif
};

// Rows come from `rows` (pointers per row and tap) or, when it is null, from a strided matrix `a`.
static inline __attribute__((always_inline)) void gemm(const float *const *rows, const float *a, long lda, long taps,
                                                       long cin, long m, const float *packed, long n, float *c,
                                                       long ldc, int accumulate) {
    long k = taps * cin, panels = (n + NR - 1) / NR;
    const float *pointers[MR];
    if (k == 0) {
        if (!accumulate) for (long i = 0; i < m; i++) memset(c + i * ldc, 0, (size_t)n * sizeof(float));
        return;
    }
    for (long t = 0; t < taps; t++) {
        for (long k0 = 0; k0 < cin; k0 += KC) {
            long kc = cin - k0 < KC ? cin - k0 : KC;
            int load = accumulate || t > 0 || k0 > 0;
            const float *slice = packed + (t * cin + k0) * NR;
            for (long m0 = 0; m0 < m; m0 += MR) {
                int mr = m - m0 < MR ? (int)(m - m0) : MR;
                for (int i = 0; i < mr; i++) {
                    pointers[i] = (rows ? rows[(m0 + i) * taps + t] : a + (m0 + i) * lda + t * cin) + k0;
                }
                for (long j = 0; j < panels; j++) {
                    long cols = n - j * NR < NR ? n - j * NR : NR;
                    micro[mr](pointers, slice + j * k * NR, kc, c + m0 * ldc + j * NR, ldc, cols, load);
                }
            }
        }
    }
}

void fd_gemm_rows(const float *const *rows, long taps, long cin, long m, const float *packed, long n, float *c,
                  long ldc, int accumulate) {
    gemm(rows, 0, 0, taps, cin, m, packed, n, c, ldc, accumulate);
}

void fd_gemm_strided(const float *a, long lda, long k, long m, const float *packed, long n, float *c, long ldc,
                     int accumulate) {
    gemm(0, a, lda, 1, k, m, packed, n, c, ldc, accumulate);
}
