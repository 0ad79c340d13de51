#!/usr/bin/env python3
"""Compares two forecasts variable by variable: relative L2 difference over ocean cells and the largest absolute
difference; the land masks must agree. Exits 1 if a relative difference exceeds the tolerance.

Usage: compare_rollouts.py A.nc B.nc [TOLERANCE=1e-3]"""
import sys

import numpy as np
import xarray as xr


def main():
    a_path, b_path = sys.argv[1:3]
    tolerance = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-3
    failed = 0
    with xr.open_dataset(a_path) as a, xr.open_dataset(b_path) as b:
        for v in ("thetao", "so", "uo", "vo", "zos"):
            x, y = a[v].values.astype(np.float64), b[v].values.astype(np.float64)
            same_land = x.shape == y.shape and np.array_equal(np.isnan(x), np.isnan(y))
            relative = np.sqrt(np.nansum((x - y) ** 2) / np.nansum(y ** 2)) if same_land else np.inf
            worst = np.nanmax(np.abs(x - y)) if same_land else np.inf
            ok = same_land and relative <= tolerance
            failed += not ok
            print(f"compare {v} relative={relative:.3e} max_abs={worst:.3e} {'ok' if ok else 'FAILED'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
