#include "CKernels.h"
#include "fd_math.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

// erfc(x): Numerical Recipes' Chebyshev fit, fractional error < 1.2e-7 in exact arithmetic.
static inline float erfc1(float x) {
    float z = x < 0.0f ? -x : x;
    float t = 1.0f / (1.0f + 0.5f * z);
    float p = 0.17087277f;
    p = p * t - 0.82215223f;
    p = p * t + 1.48851587f;
    p = p * t - 1.13520398f;
    p = p * t + 0.27886807f;
    p = p * t - 0.18628806f;
    p = p * t + 0.09678418f;
    p = p * t + 0.37409196f;
    p = p * t + 1.00002368f;
    p = p * t - 1.26551223f;
    float tail = t * fd_exp1(p - z * z);
    return x < 0.0f ? 2.0f - tail : tail;
}

// Every loop reads element i before writing element i and nothing else, so in-place use (source ==
// destination) is safe; `assume_safety` keeps the compiler from falling back to its scalar loop when its
// run-time overlap check sees the two pointers equal.
void fd_exp(const float *source, float *destination, long count) {
    _Pragma("clang loop vectorize(assume_safety) vectorize_width(16) interleave_count(4)")
    for (long i = 0; i < count; i++) destination[i] = fd_exp1(source[i]);
}

void fd_gelu_erf(const float *source, float *destination, long count) {
    _Pragma("clang loop vectorize(assume_safety) vectorize_width(16) interleave_count(4)")
    for (long i = 0; i < count; i++) {
        float x = source[i];
        float y = 0.5f * x * erfc1(x * -0.70710678118654752f);
        destination[i] = x == -INFINITY ? 0.0f : y;
    }
}

// x/2 (1 + tanh(u)) computed as the equal x / (1 + e^(-2u)), which has no cancellation for negative x.
void fd_gelu_tanh(const float *source, float *destination, long count) {
    _Pragma("clang loop vectorize(assume_safety) vectorize_width(16) interleave_count(4)")
    for (long i = 0; i < count; i++) {
        float x = source[i];
        float u2 = x * (1.5957691216057308f + 0.0713548162726f * x * x);
        float y = x / (1.0f + fd_exp1(-u2));
        destination[i] = x == -INFINITY ? 0.0f : y;
    }
}

void fd_silu(const float *source, float *destination, long count) {
    _Pragma("clang loop vectorize(assume_safety) vectorize_width(16) interleave_count(4)")
    for (long i = 0; i < count; i++) {
        float x = source[i];
        float y = x / (1.0f + fd_exp1(-x));
        destination[i] = x == -INFINITY ? 0.0f : y;
    }
}

#ifdef __AVX512F__
#include <immintrin.h>

// exp1 on 16 lanes with AVX-512 intrinsics: the same polynomial and clamps, the clamps as masked moves.
static inline __m512 exp16(__m512 x) {
    __mmask16 overflow = _mm512_cmp_ps_mask(x, _mm512_set1_ps(88.72283f), _CMP_GT_OQ);
    __mmask16 underflow = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.33654f), _CMP_LT_OQ);
    __m512 v = _mm512_mask_mov_ps(x, _mm512_cmp_ps_mask(x, _mm512_set1_ps(88.0f), _CMP_GT_OQ), _mm512_set1_ps(88.0f));
    v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, _mm512_set1_ps(-87.0f), _CMP_LT_OQ), _mm512_set1_ps(-87.0f));
    __m512 magic = _mm512_set1_ps(12582912.0f);
    __m512 t = _mm512_fmadd_ps(v, _mm512_set1_ps(1.442695040888963f), magic);
    __m512 n = _mm512_sub_ps(t, magic);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), v);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_sub_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(0x4B400000)),
                                                      _mm512_set1_epi32(127)), 23);
    __m512 result = _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
    result = _mm512_mask_mov_ps(result, overflow, _mm512_set1_ps(INFINITY));
    return _mm512_mask_mov_ps(result, underflow, _mm512_setzero_ps());
}

// Softmax with 16-lane vectors, the tail handled with masked loads and stores (-inf padding has weight 0).
void fd_softmax(const float *source, float *destination, long count) {
    if (count <= 0) return;
    __m512 m = _mm512_set1_ps(-INFINITY);
    long i = 0;
    for (; i < count; i += 16) {
        __mmask16 k = count - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - i)) - 1);
        __m512 x = _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), k, source + i);
        m = _mm512_mask_mov_ps(m, _mm512_cmp_ps_mask(x, m, _CMP_GT_OQ), x);
    }
    __m512 maximum = _mm512_set1_ps(_mm512_reduce_max_ps(m));
    __m512 sum = _mm512_setzero_ps();
    for (i = 0; i < count; i += 16) {
        __mmask16 k = count - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - i)) - 1);
        __m512 e = exp16(_mm512_sub_ps(_mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), k, source + i), maximum));
        _mm512_mask_storeu_ps(destination + i, k, e);
        sum = _mm512_add_ps(sum, e);
    }
    __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
    for (i = 0; i < count; i += 16) {
        __mmask16 k = count - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - i)) - 1);
        _mm512_mask_storeu_ps(destination + i, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, destination + i), inverse));
    }
}
#else
// Portable softmax: reductions keep 16 partial results so that the compiler vectorises them without
// reassociating (no fast-math).
void fd_softmax(const float *source, float *destination, long count) {
    if (count <= 0) return;
    float lanes[16];
    for (int j = 0; j < 16; j++) lanes[j] = -INFINITY;
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        for (int j = 0; j < 16; j++) lanes[j] = source[i + j] > lanes[j] ? source[i + j] : lanes[j];
    }
    for (; i < count; i++) lanes[0] = source[i] > lanes[0] ? source[i] : lanes[0];
    float maximum = lanes[0];
    for (int j = 1; j < 16; j++) maximum = lanes[j] > maximum ? lanes[j] : maximum;
    float sums[16] = {0};
    i = 0;
    for (; i + 16 <= count; i += 16) {
        for (int j = 0; j < 16; j++) {
            float e = fd_exp1(source[i + j] - maximum);
            destination[i + j] = e;
            sums[j] += e;
        }
    }
    for (; i < count; i++) {
        float e = fd_exp1(source[i] - maximum);
        destination[i] = e;
        sums[0] += e;
    }
    float sum = 0.0f;
    for (int j = 0; j < 16; j++) sum += sums[j];
    float inverse = 1.0f / sum;
    for (i = 0; i < count; i++) destination[i] *= inverse;
}
#endif
