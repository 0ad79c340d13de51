#ifndef FORECASTD_CKERNELS_H
#define FORECASTD_CKERNELS_H
#include "fd_math.h"

/// Pointwise transcendental loops (exp, erfc, GELU, SiLU, softmax) written as branch-free C that the
/// compiler vectorises for the build's target CPU (AVX-512 or AVX2 with FMA in release builds, SSE2 in a
/// portable build). No libm calls, no fast-math: NaN propagates and infinities take their limits.
/// `source` and `destination` are the same array or do not overlap at all.

/// destination[i] = exp(source[i]); about 2 ulp.
void fd_exp(const float *source, float *destination, long count);
/// GELU, exact form x * Phi(x).
void fd_gelu_erf(const float *source, float *destination, long count);
/// GELU, tanh approximation.
void fd_gelu_tanh(const float *source, float *destination, long count);
/// SiLU, x * sigmoid(x).
void fd_silu(const float *source, float *destination, long count);
/// destination = softmax(source) over `count` values; a row holding NaN gives NaN, -inf gets weight 0.
void fd_softmax(const float *source, float *destination, long count);

/// Asks for the cache line holding `address` ahead of its use: a hint, which never faults.
static inline __attribute__((always_inline)) void fd_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

/// Floats needed to pack a K x N weight matrix for fd_gemm_rows (N rounded up to whole panels).
long fd_gemm_packed_count(long k, long n);
/// Packs row-major W [k, n] into `packed` (fd_gemm_packed_count floats, 64-byte aligned) once, at load.
void fd_gemm_pack(const float *w, long k, long n, float *packed);
/// C[m, n] (+)= sum over taps t of A_t[m, cin] W[t cin ..< (t + 1) cin, :]: `rows[p * taps + t]` points at the
/// `cin` values of row p's tap t (a GEMM has one tap and row pointers a + p lda; a convolution one tap per
/// kernel position, pointing into the input or at zeros). With `accumulate`, C is added to.
void fd_gemm_rows(const float *const *rows, long taps, long cin, long m, const float *packed, long n, float *c,
                  long ldc, int accumulate);
/// C[m, n] (+)= A[m, k] W for a row-major A with row stride `lda`.
void fd_gemm_strided(const float *a, long lda, long k, long m, const float *packed, long n, float *c, long ldc,
                     int accumulate);

/// 32-bit words needed to pack a K x N weight matrix for the bf16 products; K is `k / segment` segments (a
/// convolution's taps) of `segment` rows, each padded to an even length.
long fd_gemm_bf16_packed_count(long k, long segment, long n);
/// Packs row-major W [k, n] as bf16 pairs along K, in panels of 48 columns (64-byte aligned `packed`).
void fd_gemm_bf16_pack(const float *w, long k, long segment, long n, uint32_t *packed);
/// fd_gemm_rows with bf16 operands and fp32 accumulation (VDPBF16PS): A is rounded to bf16 as it is staged.
/// Only for processors with AVX512-BF16.
void fd_gemm_bf16_rows(const float *const *rows, long taps, long segment, long m, const uint32_t *packed, long n,
                       float *c, long ldc, int accumulate);
/// fd_gemm_strided with bf16 operands and fp32 accumulation. Only for processors with AVX512-BF16.
void fd_gemm_bf16_strided(const float *a, long lda, long k, long m, const uint32_t *packed, long n, float *c, long ldc,
                          int accumulate);
/// Twelve independent chains of `iterations` VDPBF16PS each (64 FLOPs an instruction), no memory traffic: the
/// bf16 dot-product ceiling. Only for processors with AVX512-BF16.
float fd_bf16_dot_chains(long iterations);
#endif
