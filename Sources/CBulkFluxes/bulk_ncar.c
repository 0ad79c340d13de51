#include "CBulkFluxes.h"
#include <math.h>
#include "vector_math.h"

// Physical constants (AeroBulk's values).
#define T0 273.15          // 0 degC [K]
#define RTT0 273.16        // triple point of water [K]
#define VKARMN 0.4         // von Karman constant
#define GRAV 9.8           // gravity [m/s2]
#define R_DRY 287.05       // gas constant of dry air [J/K/kg]
#define R_VAP 461.495       // gas constant of water vapour [J/K/kg]
#define REPS0 (R_DRY / R_VAP)
#define RCTV0 (R_VAP / R_DRY - 1.0)
#define CP_DRY 1005.0      // specific heat of dry air [J/K/kg]
#define CP_VAP 1860.0      // specific heat of water vapour [J/K/kg]
#define GAMMA_DRY 0.0098   // dry adiabatic lapse rate [K/m]
#define EMISS_W 0.98       // emissivity of sea water
#define STEFAN 5.67e-8     // Stefan-Boltzmann [W/m2/K4]
#define QSAT_SALT 0.98     // reduction of saturation humidity over salt water
#define CX_MIN 0.1e-3      // floor of the transfer coefficients
#define ZT 2.0             // height of air temperature and humidity [m]
#define ZU 10.0            // height of the wind [m]
#define LN10 2.302585092994046

static inline __attribute__((always_inline)) double max1(double a, double b) { return a > b ? a : b; }
static inline __attribute__((always_inline)) double clip10(double z) { return z > 10.0 ? 10.0 : (z < -10.0 ? -10.0 : z); }

// Saturation water vapour pressure [Pa] over water, Goff (1957).
static inline __attribute__((always_inline)) double e_sat(double t) {
    double r = RTT0 / t, x = t / RTT0;
    double log10e = 10.79574 * (1.0 - r) - 5.028 * vm_log(x) / LN10
                   + 1.50475e-4 * (1.0 - vm_exp(-8.2969 * (x - 1.0) * LN10))
                   + 0.42873e-3 * (vm_exp(4.76955 * (1.0 - r) * LN10) - 1.0) + 0.78614;
    return 100.0 * vm_exp(log10e * LN10);
}

// Specific humidity [kg/kg] of air at saturation at temperature t [K] and pressure p [Pa].
static inline __attribute__((always_inline)) double q_sat(double t, double p) {
    double e = e_sat(t);
    return REPS0 * e / (p - (1.0 - REPS0) * e);
}

// Stability functions of Large & Yeager (2004) eq. 8c-8e, for momentum and for heat and humidity.
static inline __attribute__((always_inline)) double psi_m(double zeta) {
    double x2 = max1(sqrt(fabs(1.0 - 16.0 * zeta)), 1.0), x = sqrt(x2);
    double unstable = 2.0 * vm_log(0.5 * (1.0 + x)) + vm_log(0.5 * (1.0 + x2)) - 2.0 * vm_atan_from_one(x)
                     + 1.5707963267948966;
    return zeta > 0.0 ? -5.0 * zeta : unstable;
}

static inline __attribute__((always_inline)) double psi_h(double zeta) {
    double x2 = max1(sqrt(fabs(1.0 - 16.0 * zeta)), 1.0);
    return zeta > 0.0 ? -5.0 * zeta : 2.0 * vm_log(0.5 * (1.0 + x2));
}

// Neutral 10 m drag coefficient, Large & Yeager (2009) eq. 11 (constant above 33 m/s).
static inline __attribute__((always_inline)) double cd_n10(double u) {
    double u6 = u * u * u;
    u6 = u6 * u6;
    double cd = u < 33.0 ? 1e-3 * (2.7 / u + 0.142 + u / 13.09 - 3.14807e-10 * u6) : 2.34e-3;
    return max1(cd, CX_MIN);
}

// Specific humidity [kg/kg] from the dew point td [K] and pressure p [Pa] as MetPy's
// specific_humidity_from_dewpoint computes it (WenHai's pipeline): Bolton's (1980) saturation vapour pressure
// and the ratio of molecular weights of water and dry air.
static inline __attribute__((always_inline)) double q_bolton(double td, double p) {
    const double eps = 18.015268 / 28.96546;
    double e = 611.2 * vm_exp(17.67 * (td - T0) / (td - 29.65));
    return eps * e / (p - (1.0 - eps) * e);
}

// The NCAR bulk formulae with what differs between recipes as parameters; each entry point below passes
// constants, so the compiler unrolls the iterations and vectorises the loop for each.
static inline __attribute__((always_inline)) void bulk_ncar(const float *const *in, float *const *out, long count,
                                                           const int iterations, const int bolton,
                                                           const double emissivity, const double evaporation_scale,
                                                           const double precipitation_scale) {
    const float *sst = in[FD_BULK_SST], *us = in[FD_BULK_US], *vs = in[FD_BULK_VS], *u10 = in[FD_BULK_U10];
    const float *v10 = in[FD_BULK_V10], *msl = in[FD_BULK_MSL], *t2m = in[FD_BULK_T2M], *d2m = in[FD_BULK_D2M];
    const float *ssr = in[FD_BULK_SSR], *strd = in[FD_BULK_STRD], *mtpr = in[FD_BULK_MTPR];
    float *ql = out[FD_BULK_QL], *qsw = out[FD_BULK_QSW], *qh = out[FD_BULK_QH], *qe = out[FD_BULK_QE];
    float *taux = out[FD_BULK_TAUX], *tauy = out[FD_BULK_TAUY], *evap = out[FD_BULK_EVAP];
    float *precip = out[FD_BULK_PRECIP];
    const double log_zt_zu = -1.6094379124341003;  // log(ZT / ZU)
    const double log_zu_10 = 0.0;                  // log(ZU / 10)
    _Pragma("clang loop vectorize(assume_safety)")
    for (long i = 0; i < count; i++) {
        double ts = sst[i] + T0, p = msl[i];
        double du = u10[i] - us[i], dv = v10[i] - vs[i];
        double ub = max1(0.5, sqrt(du * du + dv * dv));
        double t_zt = t2m[i] + GAMMA_DRY * ZT;           // potential temperature at 2 m
        double q_zt = bolton ? q_bolton(d2m[i], p) : q_sat(d2m[i], p);  // specific humidity from the dew point
        double ssq = QSAT_SALT * q_sat(ts, p);

        // First guess: neutral coefficients, stability from the virtual temperature difference.
        double stable = t_zt * (1.0 + RCTV0 * q_zt) - ts * (1.0 + RCTV0 * ssq) > 0.0 ? 1.0 : 0.0;
        double cdn = cd_n10(ub), sqrt_cdn = sqrt(cdn);
        double cd = cdn, sqrt_cd = sqrt_cdn;
        double ce = max1(34.6e-3 * sqrt_cdn, CX_MIN);
        double ch = max1(1e-3 * sqrt_cdn * (18.0 * stable + 32.7 * (1.0 - stable)), CX_MIN);
        double t_zu = max1(t_zt, 180.0), q_zu = max1(q_zt, 1e-6);

        _Pragma("unroll") for (int it = 0; it < iterations; it++) {
            double u_star = sqrt_cd * ub;
            double t_star = ch / sqrt_cd * (t_zu - ts);
            double q_star = ce / sqrt_cd * (q_zu - ssq);
            double one_on_l = GRAV * VKARMN * (t_star * (1.0 + RCTV0 * q_zu) + RCTV0 * t_zu * q_star)
                             / (u_star * u_star * t_zu * (1.0 + RCTV0 * q_zu));
            double zeta_u = clip10(ZU * one_on_l), zeta_t = clip10(ZT * one_on_l);
            double shift = log_zt_zu + psi_h(zeta_u) - psi_h(zeta_t);
            t_zu = t_zt - t_star / VKARMN * shift;
            q_zu = max1(0.0, q_zt - q_star / VKARMN * shift);

            double psim = psi_m(zeta_u);
            double un10 = max1(0.25, ub / (1.0 + sqrt_cd / VKARMN * (log_zu_10 - psim)));
            cdn = cd_n10(un10);
            sqrt_cdn = sqrt(cdn);
            double d = 1.0 + sqrt_cdn / VKARMN * (log_zu_10 - psim);
            cd = max1(cdn / (d * d), CX_MIN);
            sqrt_cd = sqrt(cd);
            double x = (log_zu_10 - psi_h(zeta_u)) / VKARMN / sqrt_cdn, ratio = sqrt_cd / sqrt_cdn;
            double st = zeta_u > 0.0 ? 1.0 : 0.0;
            double chn = 1e-3 * sqrt_cdn * (18.0 * st + 32.7 * (1.0 - st)), cen = 34.6e-3 * sqrt_cdn;
            ch = max1(chn * ratio / (1.0 + chn * x), CX_MIN);
            ce = max1(cen * ratio / (1.0 + cen * x), CX_MIN);
        }

        double rho = max1(p / (R_DRY * t_zu * (1.0 + RCTV0 * q_zu)), 0.8);
        double tau = rho * cd * ub;
        double e = rho * ce * ub * (ssq - q_zu);
        double lvap = (2.501 - 0.00237 * (ts - T0)) * 1e6;
        double ts2 = ts * ts;
        ql[i] = emissivity * (strd[i] - STEFAN * ts2 * ts2);
        qsw[i] = ssr[i];
        qh[i] = rho * (CP_DRY + CP_VAP * q_zu) * ch * ub * (t_zu - ts);
        qe[i] = -lvap * e;
        taux[i] = tau * du;
        tauy[i] = tau * dv;
        evap[i] = evaporation_scale * e;
        precip[i] = precipitation_scale * mtpr[i];
    }
}

void fd_bulk_ncar(const float *const *in, float *const *out, long count) {
    bulk_ncar(in, out, count, 5, 0, EMISS_W, 1.0, 1.0);
}

void fd_bulk_wenhai(const float *const *in, float *const *out, long count) {
    bulk_ncar(in, out, count, 4, 1, 1.0, -1e-3, 1e-3);
}

double fd_vector_log(double x) { return vm_log(x); }
double fd_vector_exp(double x) { return vm_exp(x); }
double fd_vector_atan_from_one(double x) { return vm_atan_from_one(x); }
