"""The authors' pipeline files (min-max normalisation, per-channel mask, grid and depths) as a forecast block, and
the model folder written whole or not at all."""
import json
import os
import shutil
import tempfile

import numpy as np

from .graph import check
from .structure import shortest



def read_pipeline(folder, config, levels):
    """The forecast block, normalisation and mask from the authors' pipeline files."""
    import xarray as xr

    def load(name):
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            raise FileNotFoundError(path)
        return np.load(path).astype(np.float64).reshape(-1)

    s, f = config["state_channels"], config["flux_channels"]
    lo, hi, flo, fhi = load("min_GLORYS.npy"), load("max_GLORYS.npy"), load("min_flux.npy"), load("max_flux.npy")
    for name, v, n in (("min_GLORYS.npy", lo, s), ("max_GLORYS.npy", hi, s), ("min_flux.npy", flo, f), ("max_flux.npy", fhi, f)):
        check(v.size == n and np.all(np.isfinite(v)), f"{os.path.join(folder, name)}: {v.size} values, expected {n} finite ones")
    for name, a, b in (("GLORYS", lo, hi), ("flux", flo, fhi)):
        check(np.all(b > a), f"{folder}: max_{name}.npy is not above min_{name}.npy for every channel")
    mask_path = os.path.join(folder, "mask_GLORYS.nc")
    if not os.path.exists(mask_path):
        raise FileNotFoundError(mask_path)
    with xr.open_dataset(mask_path) as ds:
        check("mask" in ds, f"{mask_path}: no variable 'mask'")
        mask = np.nan_to_num(ds["mask"].values.astype(np.float64))
        lat = next((ds[n].values for n in ("latitude", "lat", "nav_lat") if n in ds.variables), None)
        lon = next((ds[n].values for n in ("longitude", "lon", "nav_lon") if n in ds.variables), None)
        depth = next((ds[n].values for n in ("depth", "deptht", "lev") if n in ds.variables), None)
    h, w = config["grid"]["height"], config["grid"]["width"]
    mask = mask.reshape((-1,) + mask.shape[-2:])
    check(mask.shape == (s, h, w), f"{mask_path}: mask is {list(mask.shape)}, expected [{s}, {h}, {w}] (one per state channel)")
    check(lat is not None and lon is not None and lat.shape == (h,) and lon.shape == (w,),
          f"{mask_path}: needs 1-D latitude ({h}) and longitude ({w}) coordinates")
    if levels is None:
        check(depth is not None, f"{mask_path} has no depth coordinate: give --levels")
        levels = [shortest(x) for x in np.asarray(depth).reshape(-1)]
    check(4 * len(levels) + 1 == s, f"{len(levels)} levels, but {s} state channels need {(s - 1) / 4:g} "
                                   "(uo, vo, thetao, so on each level, then zos)")
    block = {"levels": levels, "normalization": "minmax", "flux_range": [0.0, 1.0], "fluxes": "wenhai"}
    normalization = {"state_offset": lo, "state_scale": hi - lo, "state_lower": lo, "state_upper": hi,
                     "flux_offset": flo, "flux_scale": fhi - flo}
    normalization = {k: v.astype(np.float32) for k, v in normalization.items()}
    normalization["latitude"] = np.asarray(lat, dtype=np.float64)
    normalization["longitude"] = np.asarray(lon, dtype=np.float64)
    return block, normalization, {"ocean": (mask > 0.5).astype(np.uint8)}


def write_folder(out, config, weights, pipeline, source):
    from safetensors.numpy import save_file

    parent = os.path.dirname(os.path.abspath(out))
    staging = tempfile.mkdtemp(prefix=".import-", dir=parent)
    try:
        if pipeline is not None:
            block, normalization, mask = pipeline
            config = config | {"forecast": block}
            save_file(normalization, os.path.join(staging, "normalization.safetensors"))
            save_file(mask, os.path.join(staging, "mask.safetensors"))
        config = config | {"source": source}
        with open(os.path.join(staging, "config.json"), "w") as f:
            json.dump(config, f, indent=2)
        save_file(weights, os.path.join(staging, "model.safetensors"), metadata={"format": "pt"})
        if os.path.exists(out):
            shutil.rmtree(out)
        os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
