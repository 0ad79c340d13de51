#include "CKernels.h"
#include <stdint.h>
#include <string.h>

// The bf16 matrix product (VDPBF16PS, AVX512-BF16): the same blocking as gemm.c, with bf16 operands and fp32
// accumulators. W is packed once into panels of 48 columns in which each 32-bit word holds a pair of
// consecutive k (the even k in the low half), the layout VDPBF16PS multiplies: one instruction adds
// a[2p] w[2p][j] + a[2p+1] w[2p+1][j] to 16 fp32 accumulators. A's rows are rounded to bf16 (to nearest even,
// as VCVTNE2PS2BF16 does) into a small staging block once per KC slice and reused across all panels. K is
// split into segments (a convolution's taps), each padded to an even length, so that a pair never straddles
// two taps. The functions carry their own target attribute: any build can hold them; the caller takes them
// only where the processor has AVX512-BF16.

#define BMR 8
#define BNV 3
#define BNR (16 * BNV)
#define BKC 256

static long segment_words(long segment) { return (segment + 1) / 2; }

long fd_gemm_bf16_packed_count(long k, long segment, long n) {
    return ((n + BNR - 1) / BNR) * BNR * (k / segment) * segment_words(segment);
}

// bf16 of x rounded to nearest even, NaN kept, subnormals flushed to zero: what VCVTNE2PS2BF16 does.
static uint16_t bf16_bits(float x) {
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40u);  // NaN stays a quiet NaN
    if ((bits & 0x7f800000u) == 0) return (uint16_t)((bits >> 16) & 0x8000u);         // subnormals flush to zero
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

void fd_gemm_bf16_pack(const float *w, long k, long segment, long n, uint32_t *packed) {
    long panels = (n + BNR - 1) / BNR, taps = k / segment, words = segment_words(segment);
    for (long j = 0; j < panels; j++) {
        uint32_t *dst = packed + j * taps * words * BNR;
        for (long t = 0; t < taps; t++) {
            for (long p = 0; p < words; p++) {
                for (long c = 0; c < BNR; c++) {
                    long col = j * BNR + c, k0 = t * segment + 2 * p;
                    uint32_t low = 0, high = 0;
                    if (col < n) {
                        low = bf16_bits(w[k0 * n + col]);
                        if (2 * p + 1 < segment) high = bf16_bits(w[(k0 + 1) * n + col]);
                    }
                    dst[(t * words + p) * BNR + c] = low | (high << 16);
                }
            }
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

// Rounds `count` floats of `row` to bf16 pairs in `stage` (count rounded up to even, the odd tail zero).
static BF16_TARGET void stage_row(const float *row, long count, uint32_t *stage) {
    long i = 0;
    for (; i + 32 <= count; i += 32) {
        __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(row + i + 16), _mm512_loadu_ps(row + i));
        _mm512_storeu_si512(stage + i / 2, (__m512i)v);
    }
    if (i < count) {
        long rest = count - i;
        __mmask16 low = (__mmask16)(rest >= 16 ? 0xffff : (1u << rest) - 1);
        __mmask16 high = (__mmask16)(rest <= 16 ? 0 : (1u << (rest - 16)) - 1);
        __m512bh v = _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(high, row + i + 16), _mm512_maskz_loadu_ps(low, row + i));
        _mm512_mask_storeu_epi32(stage + i / 2, (__mmask16)((1u << ((rest + 1) / 2)) - 1), (__m512i)v);
    }
}

// One R x BNR tile: C (+)= stage rows [R][words] x panel [words][BNR].
#define MICRO_BF16(R)                                                                                         \
    static BF16_TARGET void micro_bf16_##R(const uint32_t *stage, const uint32_t *b, long words, float *c,      \
                                           long ldc, long cols, int load) {                                   \
        __m512 acc[R][BNV];                                                                                   \
        _Pragma("unroll") for (int i = 0; i < R; i++) {                                                      \
            _Pragma("unroll") for (int v = 0; v < BNV; v++) acc[i][v] = _mm512_setzero_ps();                  \
        }                                                                                                     \
        for (long p = 0; p < words; p++) {                                                                    \
            __m512bh w[BNV];                                                                                  \
            _Pragma("unroll") for (int v = 0; v < BNV; v++) w[v] = (__m512bh)_mm512_load_si512(b + p * BNR + 16 * v); \
            _Pragma("unroll") for (int i = 0; i < R; i++) {                                                  \
                __m512bh x = (__m512bh)_mm512_set1_epi32((int)stage[i * (BKC / 2) + p]);                     \
                _Pragma("unroll") for (int v = 0; v < BNV; v++) acc[i][v] = _mm512_dpbf16_ps(acc[i][v], x, w[v]); \
            }                                                                                                 \
        }                                                                                                     \
        for (int i = 0; i < R; i++) {                                                                         \
            float *row = c + i * ldc;                                                                         \
            for (int v = 0; v < BNV; v++) {                                                                   \
                long left = cols - 16 * v;                                                                    \
                if (left <= 0) break;                                                                         \
                __mmask16 mask = (__mmask16)(left >= 16 ? 0xffff : (1u << left) - 1);                         \
                __m512 sum = acc[i][v];                                                                       \
                if (load) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(mask, row + 16 * v));                \
                _mm512_mask_storeu_ps(row + 16 * v, mask, sum);                                               \
            }                                                                                                 \
        }                                                                                                     \
    }

MICRO_BF16(1)
MICRO_BF16(2)
MICRO_BF16(3)
MICRO_BF16(4)
MICRO_BF16(5)
MICRO_BF16(6)
MICRO_BF16(7)
MICRO_BF16(8)

typedef void (*micro_bf16_kernel)(const uint32_t *, const uint32_t *, long, float *, long, long, int);
static const micro_bf16_kernel micro_bf16[BMR + 1] = {
    0, micro_bf16_1, micro_bf16_2, micro_bf16_3, micro_bf16_4, micro_bf16_5, micro_bf16_6, micro_bf16_7, micro_bf16_8,
};

static BF16_TARGET void gemm_bf16(const float *const *rows, const float *a, long lda, long taps, long segment, long m,
                                  const uint32_t *packed, long n, float *c, long ldc, int accumulate) {
    long words = segment_words(segment), panels = (n + BNR - 1) / BNR, panel = taps * words * BNR;
    uint32_t stage[BMR * (BKC / 2)] __attribute__((aligned(64)));
    if (segment == 0) {
        if (!accumulate) for (long i = 0; i < m; i++) memset(c + i * ldc, 0, (size_t)n * sizeof(float));
        return;
    }
    for (long t = 0; t < taps; t++) {
        for (long k0 = 0; k0 < segment; k0 += BKC) {
            long kc = segment - k0 < BKC ? segment - k0 : BKC, kw = (kc + 1) / 2;
            int load = accumulate || t > 0 || k0 > 0;
            const uint32_t *slice = packed + (t * words + k0 / 2) * BNR;
            for (long m0 = 0; m0 < m; m0 += BMR) {
                int mr = m - m0 < BMR ? (int)(m - m0) : BMR;
                for (int i = 0; i < mr; i++) {
                    const float *row = rows ? rows[(m0 + i) * taps + t] : a + (m0 + i) * lda + t * segment;
                    stage_row(row + k0, kc, stage + i * (BKC / 2));
                }
                for (long j = 0; j < panels; j++) {
                    long cols = n - j * BNR < BNR ? n - j * BNR : BNR;
                    micro_bf16[mr](stage, slice + j * panel, kw, c + m0 * ldc + j * BNR, ldc, cols, load);
                }
            }
        }
    }
}

void fd_gemm_bf16_rows(const float *const *rows, long taps, long segment, long m, const uint32_t *packed, long n,
                       float *c, long ldc, int accumulate) {
    gemm_bf16(rows, 0, 0, taps, segment, m, packed, n, c, ldc, accumulate);
}

void fd_gemm_bf16_strided(const float *a, long lda, long k, long m, const uint32_t *packed, long n, float *c, long ldc,
                          int accumulate) {
    gemm_bf16(0, a, lda, 1, k, m, packed, n, c, ldc, accumulate);
}

BF16_TARGET float fd_bf16_dot_chains(long iterations) {
    __m512 acc[12];
    __m512bh a = (__m512bh)_mm512_set1_epi32(0x3f803f80), b = (__m512bh)_mm512_set1_epi32(0x33d633d6);
    for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps((float)i);
    for (long it = 0; it < iterations; it++) {
        _Pragma("unroll") for (int i = 0; i < 12; i++) acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
        // Keeps the compiler from evaluating the chains at compile time: their inputs are constants.
        __asm__ volatile("" : "+v"(acc[0]), "+v"(acc[1]), "+v"(acc[2]), "+v"(acc[3]), "+v"(acc[4]), "+v"(acc[5]));
        __asm__ volatile("" : "+v"(acc[6]), "+v"(acc[7]), "+v"(acc[8]), "+v"(acc[9]), "+v"(acc[10]), "+v"(acc[11]));
    }
    __m512 sum = acc[0];
    for (int i = 1; i < 12; i++) sum = _mm512_add_ps(sum, acc[i]);
    return _mm512_reduce_add_ps(sum);
}
#else
// Without x86 there is no VDPBF16PS, and the instruction path never selects bf16.
void fd_gemm_bf16_rows(const float *const *rows, long taps, long segment, long m, const uint32_t *packed, long n,
                       float *c, long ldc, int accumulate) { __builtin_trap(); }
void fd_gemm_bf16_strided(const float *a, long lda, long k, long m, const uint32_t *packed, long n, float *c, long ldc,
                          int accumulate) { __builtin_trap(); }
float fd_bf16_dot_chains(long iterations) { __builtin_trap(); }
#endif
