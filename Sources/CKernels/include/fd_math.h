#ifndef FORECASTD_FD_MATH_H
#define FORECASTD_FD_MATH_H
/// Branch-free single-precision exp, log and atan for loops the compiler vectorises (no libm calls, which
/// would keep a loop scalar). Cephes polynomials; relative error about 2e-7 on the ranges stated.
#include <math.h>
#include <stdint.h>
#include <string.h>

// e^x: x = n ln2 + r, |r| <= ln2/2, Cephes expf polynomial for e^r, 2^n built in the exponent bits. The
// rounding of n uses 1.5 * 2^23, whose low mantissa bits then hold n. Comparisons are written so that NaN
// falls through every clamp and stays NaN.
static inline __attribute__((always_inline)) float fd_exp1(float x) {
    float v = x > 88.0f ? 88.0f : x;
    v = v < -87.0f ? -87.0f : v;
    float t = v * 1.442695040888963f + 12582912.0f;
    float n = t - 12582912.0f;
    float r = v - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    uint32_t bits;
    memcpy(&bits, &t, sizeof bits);
    bits = (bits - 0x4B400000u + 127u) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    float result = p * scale;
    result = x > 88.72283f ? INFINITY : result;
    return x < -87.33654f ? 0.0f : result;
}

// log(x) for finite x > 0: x = m 2^e with m in [sqrt(1/2), sqrt(2)), Cephes logf polynomial for log(m).
static inline __attribute__((always_inline)) float fd_log1(float x) {
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    float e = (float)((int)((bits >> 23) & 0xff) - 126);
    bits = (bits & 0x807fffffu) | 0x3f000000u;
    float m;
    memcpy(&m, &bits, sizeof m);
    int low = m < 0.70710678f;
    e = low ? e - 1.0f : e;
    m = low ? m + m - 1.0f : m - 1.0f;
    float z = m * m;
    float y = 7.0376836292e-2f;
    y = y * m - 1.1514610310e-1f;
    y = y * m + 1.1676998740e-1f;
    y = y * m - 1.2420140846e-1f;
    y = y * m + 1.4249322787e-1f;
    y = y * m - 1.6668057665e-1f;
    y = y * m + 2.0000714765e-1f;
    y = y * m - 2.4999993993e-1f;
    y = y * m + 3.3333331174e-1f;
    y = y * m * z;
    y += -2.12194440e-4f * e;
    y += -0.5f * z;
    return m + y + 0.693359375f * e;
}

// atan(x) for x >= 0: Cephes atanf, reduced to |x| <= tan(pi/8).
static inline __attribute__((always_inline)) float fd_atan1(float x) {
    int big = x > 2.414213562373095f, mid = x > 0.4142135623730950f;
    float base = big ? 1.5707963267948966f : (mid ? 0.7853981633974483f : 0.0f);
    float r = big ? -1.0f / x : (mid ? (x - 1.0f) / (x + 1.0f) : x);
    float z = r * r;
    float p = ((8.05374449538e-2f * z - 1.38776856032e-1f) * z + 1.99777106478e-1f) * z - 3.33329491539e-1f;
    return base + p * z * r + r;
}
#endif
