#!/usr/bin/env python3
"""Independent reader for forecastd's tests: decodes a NetCDF file with xarray (CF decoding on) and prints
JSON: for each requested variable its decoded values (row-major, NaN as null), and the file's time coordinate
as ISO 8601 strings. Usage: xarray_decode.py FILE VAR [VAR ...]"""
import json
import math
import sys

import xarray as xr


def main():
    path, names = sys.argv[1], sys.argv[2:]
    coder = xr.coders.CFDatetimeCoder(use_cftime=True) if hasattr(xr, "coders") else True
    with xr.open_dataset(path, decode_times=coder) as ds:
        out = {"variables": {}, "time": []}
        for name in names:
            values = ds[name].values.astype("float64").ravel().tolist()
            out["variables"][name] = [None if math.isnan(v) else v for v in values]
        if "time" in ds.coords:
            out["time"] = [t.isoformat() for t in ds["time"].values]
        if "forecast_reference_time" in ds:
            out["forecast_reference_time"] = ds["forecast_reference_time"].values.item().isoformat()
        print(json.dumps(out))


if __name__ == "__main__":
    main()
