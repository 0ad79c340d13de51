"""The stepper's daily means and the synthetic atmosphere, read with xarray, as the surrogate sees them: the state
in WenHai's channel order (uo[L], vo[L], thetao[L], so[L], zos; NaN on land) and the eight bulk-flux channels of
each day, computed as forecastd computes them in a forecast (the NCAR bulk formulae of tools/reference from the
previous day's SST and surface currents and the atmosphere of the day being forecast)."""
import os
import sys

import numpy as np
import xarray as xr

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "reference"))
import bulk_fluxes  # noqa: E402

VARIABLES = ("uo", "vo", "thetao", "so")
ATMOSPHERE = bulk_fluxes.INPUTS[3:]          # u10 v10 msl t2m d2m ssr strd mtpr


def read_state(path):
    """[T, S, H, W] float32, the dates, latitudes, longitudes and depths of a daily-means file."""
    with xr.open_dataset(path) as d:
        parts = [d[v].values.astype(np.float32) for v in VARIABLES]
        state = np.concatenate(parts + [d["zos"].values[:, None].astype(np.float32)], axis=1)
        return (state, d["time"].values, d["latitude"].values.astype(np.float64),
                d["longitude"].values.astype(np.float64), d["depth"].values.astype(np.float64))


def split(state, levels):
    """{variable: [..., L or 1, H, W]} from states [..., S, H, W] in channel order."""
    out = {v: state[..., i * levels:(i + 1) * levels, :, :] for i, v in enumerate(VARIABLES)}
    out["zos"] = state[..., 4 * levels:4 * levels + 1, :, :]
    return out


def read_atmosphere(path):
    """[T, 8, H, W] float32 in SI units and the dates."""
    with xr.open_dataset(path) as d:
        return np.stack([d[v].values.astype(np.float32) for v in ATMOSPHERE], axis=1), d["time"].values


def fluxes(previous, atmosphere, levels, xp=np):
    """Bulk fluxes [T, 8, H, W] from states [T, S, H, W] (the day before each forecast day) and that day's atmosphere:
    with numpy in float64, returned as float32; with `xp` jax.numpy in the arrays' own precision (a training step)."""
    wide = (lambda a: a.astype(np.float64)) if xp is np else (lambda a: a)
    sst, us, vs = previous[:, 2 * levels], previous[:, 0], previous[:, levels]
    out = bulk_fluxes.fluxes(wide(sst), wide(us), wide(vs), *(wide(atmosphere[:, i]) for i in range(8)), xp=xp)
    stacked = xp.stack([out[name] for name in bulk_fluxes.OUTPUTS], axis=1)
    return stacked.astype(np.float32) if xp is np else stacked


class Series:
    """Consecutive years of one run: state[t] and the fluxes forcing the step from day t to day t + 1."""

    def __init__(self, folder, years):
        states, atmospheres, dates = [], [], []
        for year in years:
            state, time, self.latitudes, self.longitudes, self.depths = read_state(os.path.join(folder, f"ocean-{year}.nc"))
            atmosphere, atime = read_atmosphere(os.path.join(folder, f"atmosphere-{year}.nc"))
            if not np.array_equal(time, atime):
                raise ValueError(f"{folder}: ocean-{year}.nc and atmosphere-{year}.nc have other days")
            states.append(state)
            atmospheres.append(atmosphere)
            dates.append(time)
        self.state = np.concatenate(states)
        self.dates = np.concatenate(dates)
        self.levels = len(self.depths)
        atmosphere = np.concatenate(atmospheres)
        # flux[t] forces day t -> t + 1: the state of day t, the atmosphere of day t + 1.
        self.flux = fluxes(self.state[:-1], atmosphere[1:], self.levels)
        self.atmosphere = atmosphere
        self.ocean = np.isfinite(self.state[0])

    def __len__(self):
        return len(self.state)
