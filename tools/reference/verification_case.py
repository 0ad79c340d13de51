#!/usr/bin/env python3
"""A verification case with its expected scores, computed here with numpy, independently of forecastd.

Writes into FOLDER: truth.nc (daily fields on 2004-06-01 ... 2004-06-05), init.nc (2004-06-01), forecast.nc
(leads 1-3 from 2004-06-01, with forecast_reference_time), gappy.nc (leads 1 and 3 only, no reference time),
shifted.nc (the forecast on latitudes moved by half a cell) and expected.json: cos-latitude weighted RMSE, bias
and centred anomaly correlation (anomalies from the init) of forecast, gappy and persistence for thetao (2
levels) and zos at every lead, over the cells valid in both. Land cells are NaN (fill value) in every file.

Usage: verification_case.py FOLDER
"""
import datetime
import json
import os
import sys

import netCDF4
import numpy as np

LAT = np.array([30.0, 31.0, 32.0, 33.0, 34.0, 35.0])
LON = np.array([-70.0, -69.0, -68.0, -67.0, -66.0, -65.0, -64.0])
DEPTH = np.array([5.0, 50.0])
START = netCDF4.date2num(datetime.datetime(2004, 6, 1), "days since 1950-01-01", "standard")


def fields(rng):
    """Truth, init and forecast values: thetao [T, 2, H, W] and zos [T, H, W] for days 0-4."""
    land = np.zeros((len(LAT), len(LON)), bool)
    land[:, 0] = True
    land[0, 1] = True
    y, x = np.meshgrid(np.arange(len(LAT)), np.arange(len(LON)), indexing="ij")
    thetao = np.stack([np.stack([20 - 0.5 * y + 0.2 * x + 0.3 * d * np.sin(x + d) - 3 * k + rng.normal(0, 0.1, y.shape)
                                 for k in range(2)]) for d in range(5)])
    zos = np.stack([0.1 * np.cos(0.5 * x + d) + 0.02 * y + rng.normal(0, 0.005, y.shape) for d in range(5)])
    thetao[:, :, land] = np.nan
    zos[:, land] = np.nan
    return thetao.astype(np.float32), zos.astype(np.float32)


def write(path, days, thetao, zos, latitudes=LAT, reference=None):
    with netCDF4.Dataset(path, "w") as f:
        f.createDimension("time", None)
        f.createDimension("depth", len(DEPTH))
        f.createDimension("latitude", len(latitudes))
        f.createDimension("longitude", len(LON))
        t = f.createVariable("time", "f8", ("time",))
        t.units, t.calendar, t.standard_name = "days since 1950-01-01", "standard", "time"
        t[:] = [START + d for d in days]
        for name, values, units in (("depth", DEPTH, "m"), ("latitude", latitudes, "degrees_north"), ("longitude", LON, "degrees_east")):
            v = f.createVariable(name, "f4", (name,))
            v.units, v.standard_name = units, name
            v[:] = values
        f["depth"].positive = "down"
        for name, values, units, dims in (("thetao", thetao, "degrees_C", ("time", "depth", "latitude", "longitude")),
                                          ("zos", zos, "m", ("time", "latitude", "longitude"))):
            v = f.createVariable(name, "f4", dims, fill_value=np.float32(1e20))
            v.units = units
            v[:] = np.ma.masked_invalid(values)
        if reference is not None:
            r = f.createVariable("forecast_reference_time", "f8", ())
            r.units, r.calendar, r.standard_name = "days since 1950-01-01", "standard", "forecast_reference_time"
            r.assignValue(START + reference)


def scores(system, truth, base):
    """RMSE, bias and centred ACC of one plane against the truth, cos-latitude weighted over cells valid in both."""
    w = np.broadcast_to(np.cos(np.deg2rad(LAT))[:, None], truth.shape).astype(np.float64)
    s, t, b = (a.astype(np.float64) for a in (system, truth, base))
    valid = np.isfinite(s) & np.isfinite(t)
    w, s, t, b = w[valid], s[valid], t[valid], b[valid]
    d = s - t
    result = {"rmse": float(np.sqrt(np.sum(w * d * d) / np.sum(w))), "bias": float(np.sum(w * d) / np.sum(w)),
              "cells": int(valid.sum())}
    x, y = s - b, t - b
    x, y = x - np.sum(w * x) / np.sum(w), y - np.sum(w * y) / np.sum(w)
    vx, vy = np.sum(w * x * x), np.sum(w * y * y)
    result["acc"] = float(np.sum(w * x * y) / np.sqrt(vx * vy)) if vx > 0 and vy > 0 else None
    return result


def main():
    folder = sys.argv[1]
    rng = np.random.default_rng(19)
    thetao, zos = fields(rng)
    forecast_thetao = thetao[1:4] + rng.normal(0, 0.2, thetao[1:4].shape).astype(np.float32)
    forecast_zos = zos[1:4] + rng.normal(0, 0.01, zos[1:4].shape).astype(np.float32)
    forecast_thetao[1, 0, 3, 4] = np.nan                   # a cell the forecast misses at lead 2
    write(os.path.join(folder, "truth.nc"), range(5), thetao, zos)
    write(os.path.join(folder, "init.nc"), [0], thetao[:1], zos[:1])
    write(os.path.join(folder, "forecast.nc"), [1, 2, 3], forecast_thetao, forecast_zos, reference=0)
    write(os.path.join(folder, "gappy.nc"), [1, 3], forecast_thetao[[0, 2]] + 0.5, forecast_zos[[0, 2]])
    write(os.path.join(folder, "shifted.nc"), [1, 2, 3], forecast_thetao, forecast_zos, latitudes=LAT + 0.5, reference=0)
    expected = []
    systems = {"forecast": ({1: 0, 2: 1, 3: 2}, forecast_thetao, forecast_zos),
               "gappy": ({1: 0, 3: 1}, forecast_thetao[[0, 2]] + 0.5, forecast_zos[[0, 2]]),
               "persistence": ({lead: 0 for lead in range(1, 5)}, thetao[:1], zos[:1])}
    for name, (leads, t_values, z_values) in systems.items():
        for lead, index in leads.items():
            for k, depth in enumerate(DEPTH):
                expected.append({"system": name, "variable": "thetao", "depth": depth, "lead": lead,
                                 **scores(t_values[index, k], thetao[lead, k], thetao[0, k])})
            expected.append({"system": name, "variable": "zos", "depth": None, "lead": lead,
                             **scores(z_values[index], zos[lead], zos[0])})
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
