#!/usr/bin/env python3
"""The fluxes WenHai's published pipeline feeds its network, computed by AeroBulk itself (aerobulk-python's
noskin_np, NCAR algorithm, air at 2 m, wind at 10 m relative to the surface current, 4 iterations) as the
authors' inference script calls it: specific humidity from the dew point by MetPy's formula (Bolton's vapour
pressure), evaporation divided by 1000. For checking forecastd's "wenhai" flux recipe against AeroBulk.

Runs in the environment scripts/install-dependencies.sh --test makes for AeroBulk (numpy < 2, gfortran).
Usage: aerobulk_fluxes.py IN.safetensors OUT.safetensors   (inputs as bulk_fluxes.py --make-inputs writes them)"""
import sys

import numpy as np
from aerobulk.flux import noskin_np
from safetensors.numpy import load_file, save_file


def specific_humidity(td, p):
    """MetPy's specific_humidity_from_dewpoint: Bolton (1980) vapour pressure, molecular weight ratio."""
    eps = 18.015268 / 28.96546
    e = 611.2 * np.exp(17.67 * (td - 273.15) / (td - 29.65))
    return eps * e / (p - (1 - eps) * e)


def main():
    d = {k: v.astype(np.float64) for k, v in load_file(sys.argv[1]).items()}
    column = (-1, 1)
    inputs = [d["sst"] + 273.15, d["t2m"], specific_humidity(d["d2m"], d["msl"]), d["u10"] - d["us"], d["v10"] - d["vs"],
              d["msl"]]
    qe, qh, taux, tauy, evap = noskin_np(*[a.reshape(column) for a in inputs], "ncar", 2, 10, 4, False)
    out = {"qe": qe, "qh": qh, "taux": taux, "tauy": tauy, "evap": evap / 1000}
    save_file({k: np.ascontiguousarray(v.reshape(-1), dtype=np.float32) for k, v in out.items()}, sys.argv[2])


if __name__ == "__main__":
    main()
