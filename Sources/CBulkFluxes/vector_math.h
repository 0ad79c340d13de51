#ifndef FORECASTD_VECTOR_MATH_H
#define FORECASTD_VECTOR_MATH_H
// log, exp and atan in double precision written out as arithmetic, selects and bit moves, so that a loop calling
// them vectorises at the machine's full width with nothing spilled around a call (libm's are calls: scalar for
// atan, 4 lanes through libmvec for log and exp). Within 1 ulp of libm over the ranges the bulk formulae use
// (the kernels test compares them); NaN in gives NaN out.
#include <math.h>
#include <stdint.h>
#include <string.h>

#define VM_INLINE static inline __attribute__((always_inline))

VM_INLINE uint64_t vm_bits(double x) {
    uint64_t u;
    memcpy(&u, &x, 8);
    return u;
}

VM_INLINE double vm_double(uint64_t u) {
    double x;
    memcpy(&x, &u, 8);
    return x;
}

// Natural logarithm (fdlibm's e_log.c): x = 2^k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)), then
// log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)) with s = f / (2 + f). 0 gives -inf, +inf gives +inf, x < 0 or NaN
// gives NaN. Everything that looks at x is integer work on its bits, so a subnormal x is normalised exactly
// even on a thread that treats subnormals as zero (forecastd's compute threads set denormals-are-zero).
VM_INLINE double vm_log(double x) {
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const double lg1 = 6.666666666666735130e-01, lg2 = 3.999999999940941908e-01, lg3 = 2.857142874366239149e-01;
    const double lg4 = 2.222219843214978396e-01, lg5 = 1.818357216161805012e-01, lg6 = 1.531383769920937332e-01;
    const double lg7 = 1.479819860511658591e-01;
    uint64_t bits = vm_bits(x);
    // A positive subnormal m 2^-1074: its mantissa shifted up to a leading bit 52 makes the normal number
    // x 2^54 (exponent field 55 - shift), and k is lowered by 54 to match.
    int subnormal = bits - 1 < 0x000fffffffffffffULL;
    int shift = subnormal ? __builtin_clzll(bits | 1) - 11 : 0;
    uint64_t normal = subnormal ? ((uint64_t)(55 - shift) << 52) | ((bits << shift) & 0x000fffffffffffffULL) : bits;
    uint64_t u = normal + (0x3ff0000000000000ULL - 0x3fe6a09e667f3bcdULL);
    double k = (double)((int64_t)(u >> 52) - 0x3ff - (subnormal ? 54 : 0));
    double f = vm_double((u & 0x000fffffffffffffULL) + 0x3fe6a09e667f3bcdULL) - 1.0;
    double s = f / (2.0 + f), z = s * s, w = z * z;
    double r = w * (lg2 + w * (lg4 + w * lg6)) + z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)));
    double hfsq = 0.5 * f * f;
    double y = k * ln2_hi - ((hfsq - (s * (hfsq + r) + k * ln2_lo)) - f);
    int zero = (bits << 1) == 0, infinite = bits == 0x7ff0000000000000ULL;
    return bits - 1 < 0x7fefffffffffffffULL ? y : (zero ? -INFINITY : (infinite ? INFINITY : NAN));
}

// e^x: x = k ln 2 + r with |r| <= ln(2)/2, e^r by its Taylor series to r^13 (truncation below 1e-17), times
// 2^k. Overflows to +inf above 709.78; below -708.39 (where e^x leaves the normal range) gives 0.
VM_INLINE double vm_exp(double x) {
    const double inv_ln2 = 1.4426950408889634, ln2_hi = 6.93147180369123816490e-01;
    const double ln2_lo = 1.90821492927058770002e-10, shifter = 6755399441055744.0;  // 1.5 * 2^52
    const double top = 709.782712893384, bottom = -708.3964185322641;
    double c = x > top ? top : (x < bottom ? bottom : x);
    double kd = c * inv_ln2 + shifter;
    int64_t k = (int32_t)(uint32_t)vm_bits(kd);  // kd's low bits hold the rounded multiple

    kd -= shifter;
    double r = (c - kd * ln2_hi) - kd * ln2_lo;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // 2^k in two halves: k reaches 1024 at the top of the range.
    int64_t half = k >> 1;
    double y = p * vm_double((uint64_t)(half + 0x3ff) << 52) * vm_double((uint64_t)(k - half + 0x3ff) << 52);
    return x > top ? INFINITY : (x < bottom ? 0.0 : (x == x ? y : x));
}

// atan(x) for x >= 1 (Cephes' atan: reduced to [-tan(pi/8), tan(pi/8)] and a rational approximation there).
VM_INLINE double vm_atan_from_one(double x) {
    const double tan3pi8 = 2.41421356237309504880, morebits = 6.123233995736765886130e-17;
    int far = x > tan3pi8;
    double t = far ? -1.0 / x : (x - 1.0) / (x + 1.0);
    double base = far ? 1.57079632679489661923 : 0.78539816339744830962, extra = far ? morebits : 0.5 * morebits;
    double z = t * t;
    double p = (((-8.750608600031904122785e-1 * z - 1.615753718733365076637e1) * z - 7.500855792314704667340e1) * z
                - 1.228866684490136173410e2) * z - 6.485021904942025371773e1;
    double q = ((((z + 2.485846490142306297962e1) * z + 1.650270098316988542046e2) * z + 4.328810604912902668951e2) * z
                + 4.853903996359136964868e2) * z + 1.945506571482613964425e2;
    return base + (t + t * z * p / q + extra);
}

#endif
