#!/usr/bin/env python3
"""Writes a CMEMS-style initial state and an ERA5-style daily forcing file on a model folder's grid, for the
forecast pipeline's tests and benchmarks: smooth fields, land where a seeded bathymetry is shallower than a
level (NaN / _FillValue), thetao packed as int16 like CMEMS files.

Usage: make_forecast_case.py MODEL_DIR OUT_DIR [--days 16] [--start 2024-03-01] [--seed 5]
Writes OUT_DIR/init.nc (one time step at START 00:00) and OUT_DIR/forcing.nc (daily means for START + 1 ...
START + DAYS)."""
import argparse
import datetime
import json
import os

import numpy as np
from netCDF4 import Dataset
from safetensors.numpy import load_file


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("out")
    parser.add_argument("--days", type=int, default=16)
    parser.add_argument("--start", default="2024-03-01")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--nan-in-ocean", action="store_true", help="so missing at one ocean cell")
    parser.add_argument("--shift-latitudes", type=float, default=0.0, help="move the grid off the model's")
    parser.add_argument("--kelvin", action="store_true", help="thetao in K, as some reanalyses store it")
    args = parser.parse_args()
    with open(os.path.join(args.model, "config.json")) as f:
        cfg = json.load(f)
    norm = load_file(os.path.join(args.model, "normalization.safetensors"))
    lat, lon = norm["latitude"] + args.shift_latitudes, norm["longitude"]
    levels = np.array(cfg["forecast"]["levels"])
    ny, nx, nz = len(lat), len(lon), len(levels)
    y, x = np.meshgrid(np.linspace(0, 1, ny), np.linspace(0, 1, nx), indexing="ij")
    ocean = ocean_mask(ny, nx, levels, args.seed)
    start = datetime.datetime.fromisoformat(args.start)
    hours = (start - datetime.datetime(1950, 1, 1)).total_seconds() / 3600

    os.makedirs(args.out, exist_ok=True)
    with Dataset(os.path.join(args.out, "init.nc"), "w") as d:
        d.createDimension("time", None)
        d.createDimension("depth", nz)
        d.createDimension("latitude", ny)
        d.createDimension("longitude", nx)
        coordinates(d, lat, lon)
        depth = d.createVariable("depth", "f4", ("depth",))
        depth.units, depth.positive, depth.standard_name, depth.axis = "m", "down", "depth", "Z"
        depth[:] = levels
        time = d.createVariable("time", "f8", ("time",))
        time.units, time.calendar, time.standard_name = "hours since 1950-01-01 00:00:00", "gregorian", "time"
        time[:] = [hours]
        z = levels[:, None, None] / 100
        fields = {
            # Sea water freezes at -1.8 degC: deep levels of the steep synthetic profile stop there.
            "thetao": (np.maximum(24 - 8 * y - 3 * z + np.sin(6 * x), -1.8), "sea_water_potential_temperature", "degrees_C"),
            "so": (34.5 + 0.8 * y + 0.05 * z + 0.1 * np.cos(5 * x), "sea_water_salinity", "1e-3"),
            "uo": (0.3 * np.sin(4 * y) * np.exp(-z) + 0 * x, "eastward_sea_water_velocity", "m s-1"),
            "vo": (0.2 * np.cos(3 * x) * np.exp(-z) + 0 * y, "northward_sea_water_velocity", "m s-1"),
        }
        if args.kelvin:
            fields["thetao"] = (fields["thetao"][0] + 273.15, fields["thetao"][1], "K")
        for name, (values, standard, units) in fields.items():
            values = np.where(ocean, values, np.nan)[None]
            if name == "so" and args.nan_in_ocean:
                values[0, 0, ny - 2, nx - 2] = np.nan
            if name == "thetao" and not args.kelvin:
                v = d.createVariable(name, "i2", ("time", "depth", "latitude", "longitude"), fill_value=-32767)
                v.scale_factor, v.add_offset = np.float32(7.324442e-4), np.float32(21.0)
            else:
                v = d.createVariable(name, "f4", ("time", "depth", "latitude", "longitude"), fill_value=np.float32(1e20))
            v.standard_name, v.units = standard, units
            with np.errstate(invalid="ignore"):
                v[:] = np.ma.masked_invalid(values)
        zos = d.createVariable("zos", "f4", ("time", "latitude", "longitude"), fill_value=np.float32(1e20))
        zos.standard_name, zos.units = "sea_surface_height_above_geoid", "m"
        zos[:] = np.ma.masked_invalid(np.where(ocean[0], 0.3 * np.sin(2 * x) * np.cos(3 * y), np.nan)[None])

    with Dataset(os.path.join(args.out, "forcing.nc"), "w") as d:
        d.createDimension("time", None)
        d.createDimension("latitude", ny)
        d.createDimension("longitude", nx)
        coordinates(d, lat, lon)
        time = d.createVariable("time", "f8", ("time",))
        time.units, time.calendar = "hours since 1950-01-01 00:00:00", "gregorian"
        time[:] = hours + 24 * np.arange(1, args.days + 1)
        t = np.arange(1, args.days + 1)[:, None, None] / args.days
        t2m = 297 - 10 * y + 2 * np.sin(2 * np.pi * t + x)
        atmosphere = {
            "u10": (8 * np.cos(np.pi * y) + 3 * np.sin(2 * np.pi * (t + x)), "m s**-1"),
            "v10": (2 * np.sin(2 * np.pi * (t - y)) + 0 * x, "m s**-1"),
            "msl": (101325 + 800 * np.sin(2 * np.pi * (t + y)) + 0 * x, "Pa"),
            "t2m": (t2m, "K"),
            "d2m": (t2m - 3 - 2 * y, "K"),
            "ssr": (180 + 60 * np.cos(np.pi * y) + 0 * t, "W m**-2"),
            "strd": (360 - 40 * y + 0 * t, "W m**-2"),
            "mtpr": (3e-5 * (1 + np.sin(2 * np.pi * (t + 2 * x))) + 0 * y, "kg m**-2 s**-1"),
        }
        for name, (values, units) in atmosphere.items():
            v = d.createVariable(name, "f4", ("time", "latitude", "longitude"))
            v.units = units
            v[:] = values.astype(np.float32)


def ocean_mask(ny, nx, levels, seed=5):
    """True over the ocean, [depth, y, x]: a seeded bathymetry deeper than each level, a coast in one corner
    and a small island."""
    rng = np.random.default_rng(seed)
    y, x = np.meshgrid(np.linspace(0, 1, ny), np.linspace(0, 1, nx), indexing="ij")
    bathymetry = 4000 * (0.6 + 0.4 * np.sin(3 * x + 1) * np.cos(2 * y)) - 400 * rng.random((ny, nx))
    bathymetry[: ny // 5, : nx // 4] = 0
    bathymetry[ny // 2, nx // 2: nx // 2 + 3] = 5
    return bathymetry[None] > np.asarray(levels)[:, None, None]


def coordinates(d, lat, lon):
    la = d.createVariable("latitude", "f4", ("latitude",))
    la.units, la.standard_name, la.axis = "degrees_north", "latitude", "Y"
    la[:] = lat
    lo = d.createVariable("longitude", "f4", ("longitude",))
    lo.units, lo.standard_name, lo.axis = "degrees_east", "longitude", "X"
    lo[:] = lon


if __name__ == "__main__":
    main()
