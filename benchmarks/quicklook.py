#!/usr/bin/env python3
"""A quick-look map of a WenHai-scale field: `forecastd plot` against xarray + matplotlib, whole processes.

Makes WORK/field.nc once (thetao, 3 times x 23 levels x 720 x 1440, float32, deflate 1, land NaN on a fifth of
the cells), then, interleaved round by round, times `forecastd plot WORK/field.nc --var thetao --depth 0 --time 1`
and the same picture drawn the way a researcher would in Python: xarray opens the file and selects the field,
matplotlib draws it with imshow (1440 x 720 pixels, a colour bar, a title) and writes the PNG.

Usage: quicklook.py FORECASTD WORK [--rounds 5] [--json OUT]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import emit, machine  # noqa: E402

MATPLOTLIB = """
import sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import xarray as xr
with xr.open_dataset(sys.argv[1]) as d:
    field = d["thetao"].isel(time=1, depth=0)
    fig = plt.figure(figsize=(16, 8), dpi=100)
    image = plt.imshow(field.values, origin="lower", cmap="inferno", interpolation="nearest")
    plt.colorbar(image, label="degrees_C")
    plt.title("thetao at %g m" % float(field.depth))
    fig.savefig(sys.argv[2])
"""


def make_field(path):
    import netCDF4
    lat = np.linspace(-89.875, 89.875, 720)
    lon = np.linspace(0.125, 359.875, 1440)
    rng = np.random.default_rng(5)
    y, x = np.meshgrid(np.deg2rad(lat), np.deg2rad(lon), indexing="ij")
    land = (np.sin(3 * x) * np.cos(2 * y) > 0.55) | (np.abs(lat)[:, None] > 80)
    with netCDF4.Dataset(path + ".partial", "w") as f:
        for name, size in (("time", None), ("depth", 23), ("latitude", 720), ("longitude", 1440)):
            f.createDimension(name, size)
        for name, values, units in (("depth", np.geomspace(0.5, 5000, 23), "m"), ("latitude", lat, "degrees_north"),
                                    ("longitude", lon, "degrees_east")):
            v = f.createVariable(name, "f4", (name,))
            v.units, v.standard_name = units, name
            v[:] = values
        t = f.createVariable("time", "f8", ("time",))
        t.units, t.standard_name = "days since 2024-01-01", "time"
        t[:] = [1, 2, 3]
        v = f.createVariable("thetao", "f4", ("time", "depth", "latitude", "longitude"), zlib=True, complevel=1, shuffle=True,
                             chunksizes=(1, 1, 720, 1440), fill_value=np.float32(1e20))
        v.units, v.standard_name = "degrees_C", "sea_water_potential_temperature"
        for k in range(3):
            for level in range(23):
                field = (28 * np.cos(y) ** 2 - 2 + 0.5 * np.sin(7 * x + k) - 0.001 * level * 20
                         + rng.normal(0, 0.05, y.shape)).astype(np.float32)
                field[land] = np.nan
                v[k, level] = np.ma.masked_invalid(field)
    os.replace(path + ".partial", path)


def timed(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("forecastd")
    p.add_argument("work")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--json")
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    field = os.path.join(args.work, "field.nc")
    if not os.path.exists(field):
        make_field(field)
    ours, theirs = [], []
    for _ in range(args.rounds):
        ours.append(timed([args.forecastd, "plot", field, "--var", "thetao", "--depth", "0", "--time", "1",
                           "--out", os.path.join(args.work, "forecastd.png")]))
        theirs.append(timed([sys.executable, "-c", MATPLOTLIB, field, os.path.join(args.work, "matplotlib.png")]))
    result = {"machine": machine(), "grid": "720x1440", "levels": 23, "rounds": args.rounds,
              "forecastd_s": statistics.median(ours), "forecastd_range_s": [min(ours), max(ours)],
              "matplotlib_s": statistics.median(theirs), "matplotlib_range_s": [min(theirs), max(theirs)],
              "speedup": statistics.median(theirs) / statistics.median(ours),
              "forecastd_png_bytes": os.path.getsize(os.path.join(args.work, "forecastd.png"))}
    emit(result, args.json)


if __name__ == "__main__":
    main()
