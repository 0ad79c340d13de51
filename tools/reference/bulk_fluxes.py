#!/usr/bin/env python3
"""Independent float64 numpy implementation of the NCAR bulk formulae (Large & Yeager 2004, 2009), written
from the papers in the form AeroBulk's NCAR `noskin` algorithm uses (air temperature and humidity at 2 m,
wind at 10 m relative to the surface current, bulk SST), for checking forecastd's BulkFluxes, in both recipes:
"forecastd" (5 iterations, Goff humidity, emissivity 0.98, rates in kg m-2 s-1) and "wenhai", what WenHai's
published pipeline feeds its network (4 iterations, humidity as MetPy's specific_humidity_from_dewpoint,
ql = strd - sigma SST^4, evaporation and precipitation in m/s with evaporation negative out of the ocean).

Usage: bulk_fluxes.py --make-inputs N OUT.safetensors            random realistic inputs (seeded)
       bulk_fluxes.py IN.safetensors OUT.safetensors [--wenhai]   fluxes of the inputs"""
import sys

import numpy as np
from safetensors.numpy import load_file, save_file

INPUTS = ["sst", "us", "vs", "u10", "v10", "msl", "t2m", "d2m", "ssr", "strd", "mtpr"]
OUTPUTS = ["ql", "ssr", "qh", "qe", "taux", "tauy", "evap", "mtpr"]

T0, RTT0, KAPPA, GRAV = 273.15, 273.16, 0.4, 9.8
R_DRY, R_VAP = 287.05, 461.495
EPS, CTV = R_DRY / R_VAP, R_VAP / R_DRY - 1
CP_DRY, CP_VAP, LAPSE, EMISSIVITY, SIGMA, SALT, CMIN = 1005.0, 1860.0, 0.0098, 0.98, 5.67e-8, 0.98, 1e-4
ZT, ZU = 2.0, 10.0


def e_sat(t, xp=np):
    """Goff (1957) saturation vapour pressure over water [Pa]."""
    x = t / RTT0
    log10e = (10.79574 * (1 - 1 / x) - 5.028 * xp.log10(x) + 1.50475e-4 * (1 - 10 ** (-8.2969 * (x - 1)))
              + 0.42873e-3 * (10 ** (4.76955 * (1 - 1 / x)) - 1) + 0.78614)
    return 100 * 10 ** log10e


def q_sat(t, p, xp=np):
    e = e_sat(t, xp)
    return EPS * e / (p - (1 - EPS) * e)


def q_metpy(td, p, xp=np):
    """Specific humidity from the dew point as MetPy computes it: Bolton (1980) vapour pressure, the ratio of the
    molecular weights of water and dry air."""
    eps = 18.015268 / 28.96546
    e = 611.2 * xp.exp(17.67 * (td - T0) / (td - 29.65))
    return eps * e / (p - (1 - eps) * e)


def psi_m(zeta, xp=np):
    """Large & Yeager (2004) eq. 8: stable -5 zeta; unstable Paulson's form with x = (1 - 16 zeta)^(1/4)."""
    x = xp.maximum(xp.sqrt(xp.abs(1 - 16 * zeta)), 1) ** 0.5
    unstable = 2 * xp.log((1 + x) / 2) + xp.log((1 + x * x) / 2) - 2 * xp.arctan(x) + np.pi / 2
    return xp.where(zeta > 0, -5 * zeta, unstable)


def psi_h(zeta, xp=np):
    x2 = xp.maximum(xp.sqrt(xp.abs(1 - 16 * zeta)), 1)
    return xp.where(zeta > 0, -5 * zeta, 2 * xp.log((1 + x2) / 2))


def cd_neutral(u, xp=np):
    """Large & Yeager (2009) eq. 11, constant 2.34e-3 from 33 m/s."""
    return xp.maximum(xp.where(u < 33, 1e-3 * (2.7 / u + 0.142 + u / 13.09 - 3.14807e-10 * u ** 6), 2.34e-3), CMIN)


def fluxes(sst, us, vs, u10, v10, msl, t2m, d2m, ssr, strd, mtpr, wenhai=False, xp=np):
    """The eight fluxes by name; `xp` the array module (numpy, or jax.numpy inside a training step)."""
    ts = sst + T0
    du, dv = u10 - us, v10 - vs
    ub = xp.maximum(0.5, xp.hypot(du, dv))
    t_zt = t2m + LAPSE * ZT
    q_zt = q_metpy(d2m, msl, xp) if wenhai else q_sat(d2m, msl, xp)
    ssq = SALT * q_sat(ts, msl, xp)
    stable = xp.where(t_zt * (1 + CTV * q_zt) - ts * (1 + CTV * ssq) > 0, 1.0, 0.0)
    cdn = cd_neutral(ub, xp)
    cd = cdn
    ce = xp.maximum(34.6e-3 * xp.sqrt(cdn), CMIN)
    ch = xp.maximum(1e-3 * xp.sqrt(cdn) * (18 * stable + 32.7 * (1 - stable)), CMIN)
    t_zu, q_zu = xp.maximum(t_zt, 180), xp.maximum(q_zt, 1e-6)
    for _ in range(4 if wenhai else 5):
        u_star = xp.sqrt(cd) * ub
        t_star = ch / xp.sqrt(cd) * (t_zu - ts)
        q_star = ce / xp.sqrt(cd) * (q_zu - ssq)
        inv_l = GRAV * KAPPA * (t_star * (1 + CTV * q_zu) + CTV * t_zu * q_star) / (u_star ** 2 * t_zu * (1 + CTV * q_zu))
        zeta_u, zeta_t = xp.clip(ZU * inv_l, -10, 10), xp.clip(ZT * inv_l, -10, 10)
        shift = xp.log(ZT / ZU) + psi_h(zeta_u, xp) - psi_h(zeta_t, xp)
        t_zu = t_zt - t_star / KAPPA * shift
        q_zu = xp.maximum(0, q_zt - q_star / KAPPA * shift)
        pm = psi_m(zeta_u, xp)
        un10 = xp.maximum(0.25, ub / (1 + xp.sqrt(cd) / KAPPA * (xp.log(ZU / 10) - pm)))
        cdn = cd_neutral(un10, xp)
        cd = xp.maximum(cdn / (1 + xp.sqrt(cdn) / KAPPA * (xp.log(ZU / 10) - pm)) ** 2, CMIN)
        x = (xp.log(ZU / 10) - psi_h(zeta_u, xp)) / KAPPA / xp.sqrt(cdn)
        st = xp.where(zeta_u > 0, 1.0, 0.0)
        chn = 1e-3 * xp.sqrt(cdn) * (18 * st + 32.7 * (1 - st))
        cen = 34.6e-3 * xp.sqrt(cdn)
        ch = xp.maximum(chn * xp.sqrt(cd / cdn) / (1 + chn * x), CMIN)
        ce = xp.maximum(cen * xp.sqrt(cd / cdn) / (1 + cen * x), CMIN)
    rho = xp.maximum(msl / (R_DRY * t_zu * (1 + CTV * q_zu)), 0.8)
    evap = rho * ce * ub * (ssq - q_zu)
    if wenhai:
        return {"ql": strd - SIGMA * ts ** 4, "ssr": ssr, "qh": rho * (CP_DRY + CP_VAP * q_zu) * ch * ub * (t_zu - ts),
                "qe": -(2.501 - 0.00237 * sst) * 1e6 * evap, "taux": rho * cd * ub * du, "tauy": rho * cd * ub * dv,
                "evap": -evap / 1000, "mtpr": mtpr / 1000}
    return {
        "ql": EMISSIVITY * (strd - SIGMA * ts ** 4),
        "ssr": ssr,
        "qh": rho * (CP_DRY + CP_VAP * q_zu) * ch * ub * (t_zu - ts),
        "qe": -(2.501 - 0.00237 * sst) * 1e6 * evap,
        "taux": rho * cd * ub * du,
        "tauy": rho * cd * ub * dv,
        "evap": evap,
        "mtpr": mtpr,
    }


def make_inputs(n, path):
    rng = np.random.default_rng(11)
    sst = rng.uniform(-2, 32, n)
    t2m = sst + T0 + np.clip(rng.normal(-1, 3, n), -12, 8)
    values = {
        "sst": sst, "us": rng.uniform(-1.5, 1.5, n), "vs": rng.uniform(-1.5, 1.5, n),
        "u10": rng.normal(0, 8, n), "v10": rng.normal(0, 8, n), "msl": rng.uniform(96000, 104000, n),
        "t2m": t2m, "d2m": t2m - rng.uniform(0.2, 12, n), "ssr": rng.uniform(0, 400, n),
        "strd": rng.uniform(200, 450, n), "mtpr": rng.uniform(0, 1e-3, n),
    }
    # A few edge cases: calm air, a storm above 33 m/s, strongly stable and unstable air.
    values["u10"][:4] = [0.0, 40.0, 2.0, 1.0]
    values["v10"][:4] = [0.0, 0.0, 0.0, 0.0]
    values["t2m"][2] = sst[2] + T0 + 8
    values["t2m"][3] = sst[3] + T0 - 12
    save_file({k: v.astype(np.float32) for k, v in values.items()}, path)


def main():
    if sys.argv[1] == "--make-inputs":
        make_inputs(int(sys.argv[2]), sys.argv[3])
        return
    data = load_file(sys.argv[1])
    out = fluxes(*(data[name].astype(np.float64) for name in INPUTS), wenhai="--wenhai" in sys.argv)
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in out.items()}, sys.argv[2])


if __name__ == "__main__":
    main()
