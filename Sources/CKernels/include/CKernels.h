#ifndef FORECASTD_CKERNELS_H
#define FORECASTD_CKERNELS_H

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

#endif
