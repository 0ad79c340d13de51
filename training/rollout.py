#!/usr/bin/env python3
"""The training framework's own forecast from a model folder, as forecastd runs it: the initial state (the init
file's last time step, the model's levels) normalised and clipped with land at 0; every day the bulk fluxes from
the current SST and surface currents and that day's atmosphere, normalised with land at 0; the network's change
added, clipped to each channel's range, land reset. Writes the daily states (physical units, NaN on land).

Usage: rollout.py MODEL_DIR INIT.nc FORCING.nc DAYS OUT.nc"""
import json
import os
import sys

import jax.numpy as jnp
import numpy as np
import xarray as xr
from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as ocean_data  # noqa: E402
import surrogate  # noqa: E402


class Model:
    def __init__(self, folder):
        with open(os.path.join(folder, "config.json")) as f:
            self.cfg = json.load(f)
        self.params = {k: jnp.asarray(v, jnp.float32) for k, v in load_file(os.path.join(folder, "model.safetensors")).items()}
        self.norm = load_file(os.path.join(folder, "normalization.safetensors"))
        self.levels = np.array(self.cfg["forecast"]["levels"])
        self.net = surrogate.Surrogate(self.cfg, self.cfg["grid"]["height"], self.cfg["grid"]["width"])

    def initial(self, path):
        """The init file's last state [S, H, W] on the model's levels, and its time."""
        with xr.open_dataset(path) as d:
            depth = d["depth"].values
            index = [int(np.argmin(np.abs(depth - z))) for z in self.levels]
            parts = [d[v].isel(time=-1).values[index] for v in ocean_data.VARIABLES]
            state = np.concatenate(parts + [d["zos"].isel(time=-1).values[None]]).astype(np.float32)
            return state, d["time"].values[-1]

    def forecast(self, state, forcing, days, start):
        """Daily states [days, S, H, W] from `state` with the forcing dataset's days start + 1 ... start + days."""
        n, L = self.norm, len(self.levels)
        off, scale = n["state_offset"][:, None, None], n["state_scale"][:, None, None]
        lower = ((n["state_lower"] - n["state_offset"]) / n["state_scale"])[:, None, None]
        upper = ((n["state_upper"] - n["state_offset"]) / n["state_scale"])[:, None, None]
        wet = np.isfinite(state)
        s = np.where(wet, np.clip((state - off) / scale, lower, upper), 0).astype(np.float32)
        physical = np.where(wet, s * scale + off, np.nan)
        times = forcing["time"].values
        out = []
        for day in range(1, days + 1):
            date = start + np.timedelta64(day, "D")
            k = int(np.argmin(np.abs(times - date)))
            if abs(times[k] - date) > np.timedelta64(12, "h"):
                raise SystemExit(f"forcing has no day {date}")
            atmosphere = np.stack([forcing[v].isel(time=k).values for v in ocean_data.ATMOSPHERE])[None]
            flux = ocean_data.fluxes(physical[None], atmosphere, L)[0]
            flux = (flux - n["flux_offset"][:, None, None]) / n["flux_scale"][:, None, None]
            flux = np.where(np.isfinite(flux), flux, 0).astype(np.float32)
            change = np.asarray(self.net.forward(self.params, jnp.asarray(s[None]), jnp.asarray(flux[None]))[0])
            s = np.where(wet, np.clip(s + change, lower, upper), 0).astype(np.float32)
            physical = np.where(wet, s * scale + off, np.nan)
            out.append(physical.astype(np.float32))
        return np.stack(out)


def write(path, states, model, start):
    fields = ocean_data.split(states, len(model.levels))
    d = {v: (("time", "depth", "latitude", "longitude"), fields[v]) for v in ocean_data.VARIABLES}
    d["zos"] = (("time", "latitude", "longitude"), fields["zos"][:, 0])
    times = start + np.arange(1, len(states) + 1) * np.timedelta64(1, "D")
    xr.Dataset(d, coords={"time": times, "depth": model.levels, "latitude": model.norm["latitude"],
                          "longitude": model.norm["longitude"]}).to_netcdf(path)


def main():
    folder, init, forcing, days, out = sys.argv[1:6]
    model = Model(folder)
    state, start = model.initial(init)
    with xr.open_dataset(forcing) as f:
        states = model.forecast(state, f, int(days), start)
    write(out, states, model, start)


if __name__ == "__main__":
    main()
