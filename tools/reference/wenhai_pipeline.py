#!/usr/bin/env python3
"""WenHai's published forecast pipeline, written independently from its description in numpy and ONNX Runtime,
to check `forecastd run` on a model folder imported from the same ONNX file.

Each day, as the authors' inference script does: the state is min-max normalised (NaN to 0); the bulk fluxes are
computed from the physical SST (K) and surface currents of the current state and the day's forcing (here by
bulk_fluxes.py's "wenhai" recipe, which CI ties to AeroBulk), NaN set to 0, normalised, multiplied by the surface
mask and clipped to [0, 1]; the state and the fluxes go to the network as float16; the new state is
state + change, multiplied by the mask and clipped to [0, 1], kept as float16 as the script's in-place
arithmetic keeps it; the physical state, NaN where the mask is 0, is written.

The forcing is read in SI units (W m-2 and kg m-2 s-1, as the test cases write it): the script's division of
ssr and strd by 3600 belongs to hourly-accumulated J m-2 files, which forecastd converts by their stated
accumulation period instead.

With --float32 (for a float32 graph of the same network), the float16 casts are left out: what remains is the
pipeline's semantics alone.

Usage: wenhai_pipeline.py MODEL.onnx PIPELINE_DIR INIT.nc FORCING.nc DAYS OUT.nc [--float32]"""
import os
import sys

import numpy as np
import onnxruntime as ort
import xarray as xr
from netCDF4 import Dataset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bulk_fluxes  # noqa: E402


def main():
    onnx_path, pipeline, init_path, forcing_path, days, out = sys.argv[1:7]
    days = int(days)
    half = np.float32 if "--float32" in sys.argv else np.float16
    lo = np.load(os.path.join(pipeline, "min_GLORYS.npy")).astype(np.float32)[:, None, None]
    hi = np.load(os.path.join(pipeline, "max_GLORYS.npy")).astype(np.float32)[:, None, None]
    flo = np.load(os.path.join(pipeline, "min_flux.npy")).astype(np.float32)[:, None, None]
    fhi = np.load(os.path.join(pipeline, "max_flux.npy")).astype(np.float32)[:, None, None]
    with xr.open_dataset(os.path.join(pipeline, "mask_GLORYS.nc")) as ds:
        mask = ds["mask"].values.astype(np.float32)
    with xr.open_dataset(init_path) as ds:
        levels = len(ds["depth"])
        init = np.concatenate([ds[v].values[0] for v in ("uo", "vo", "thetao", "so")] + [ds["zos"].values[0][None]])
        depth, lat, lon = ds["depth"].values, ds["latitude"].values, ds["longitude"].values
    sst_c, uo_c, vo_c = 2 * levels, 0, levels
    state = np.nan_to_num((init.astype(np.float32) - lo) / (hi - lo))
    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    forecasts = []
    with xr.open_dataset(forcing_path) as forcing:
        for day in range(days):
            physical = state * (hi - lo) + lo
            sst, us, vs = (physical[c] * mask[c] for c in (sst_c, uo_c, vo_c))
            a = forcing.isel(time=day)
            fields = [a[n].values.astype(np.float64) for n in ("u10", "v10", "msl", "t2m", "d2m", "ssr", "strd", "mtpr")]
            f = bulk_fluxes.fluxes(sst.astype(np.float64), us.astype(np.float64), vs.astype(np.float64), *fields,
                                   wenhai=True)
            flux = np.nan_to_num(np.stack([f[n] for n in bulk_fluxes.OUTPUTS]).astype(np.float32))
            flux = np.clip((flux - flo) / (fhi - flo) * mask[0], 0, 1).astype(half)
            change = session.run(None, {names[0]: state[None].astype(half), names[1]: flux[None]})[0][0]
            summed = (change.astype(np.float32) + state).astype(half)
            state = np.clip(summed * mask.astype(half), 0, 1).astype(np.float32)
            forecasts.append(np.where(mask == 0, np.nan, state * (hi - lo) + lo).astype(np.float32))
    with Dataset(out, "w") as d:
        d.createDimension("time", days)
        d.createDimension("depth", levels)
        d.createDimension("latitude", len(lat))
        d.createDimension("longitude", len(lon))
        for name, values in (("depth", depth), ("latitude", lat), ("longitude", lon)):
            d.createVariable(name, "f8", (name,))[:] = values
        stack = np.stack(forecasts)
        for k, name in enumerate(("uo", "vo", "thetao", "so")):
            d.createVariable(name, "f4", ("time", "depth", "latitude", "longitude"))[:] = stack[:, k * levels:(k + 1) * levels]
        d.createVariable("zos", "f4", ("time", "latitude", "longitude"))[:] = stack[:, -1]


if __name__ == "__main__":
    main()
