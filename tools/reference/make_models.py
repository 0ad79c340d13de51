#!/usr/bin/env python3
"""Generates random-weight surrogate model folders (config.json, model.safetensors and, with --inputs, an
inputs.safetensors holding a state and a flux field at the config's grid).

Usage: make_models.py OUT_DIR [--config NAME ...] [--inputs] [--seed N]
Without --config, writes every test config (odd grids that need padding, window 7 and 8, patch 4 and 8,
depth 2 to 6, with and without stages, float32 / float16 / bfloat16 storage). "sample" and "wenhai" are the
benchmark configs."""
import argparse
import json
import os
import sys

import ml_dtypes
import numpy as np
from safetensors.numpy import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wenhai_config  # noqa: E402


def config(height, width, state, flux, patch, dim, depths, heads, window, groups, dtype="F32"):
    return {"model_type": "wenhai-swin", "grid": {"height": height, "width": width},
            "state_channels": state, "flux_channels": flux, "patch_size": patch, "embed_dim": dim,
            "depths": depths, "num_heads": heads, "window_size": window, "mlp_ratio": 4.0,
            "group_norm_groups": groups, "norm_eps": 1e-5, "_dtype": dtype}


TEST_CONFIGS = {
    "w7-p4-depth2": config(61, 100, 5, 3, 4, 32, [2], [2], 7, 8),
    "w8-p8-depth6": config(130, 140, 7, 4, 8, 48, [6], [3], 8, 16),
    "w8-p4-stages": config(50, 70, 6, 4, 4, 32, [2, 2], [2, 4], 8, 8),
    "w7-p8-stages-f16": config(100, 230, 4, 3, 8, 32, [3, 2], [2, 2], 7, 8, "F16"),
    "w8-p4-depth4-bf16": config(64, 96, 5, 8, 4, 24, [4], [2], 8, 8, "BF16"),
}
# A model folder for the forecast pipeline: 3 depth levels (uo, vo, thetao, so on each, then zos), the 8 flux
# channels, a normalisation file and the grid it expects (1-degree cells from 20N, 140E).
FORECAST_CONFIGS = {
    "forecast": config(40, 60, 13, 8, 4, 32, [2], [2], 4, 8) | {
        "forecast": {"levels": [0.494, 9.573, 47.37], "normalization": "minmax"},
        "_latitudes": [20.5 + i for i in range(40)], "_longitudes": [140.5 + i for i in range(60)]},
    # The sample domain: 128 x 128 cells of 1/4 degree, 5 levels (21 state channels).
    "sample-forecast": config(128, 128, 21, 8, 4, 96, [6], [3], 8, 32) | {
        "forecast": {"levels": [0.494, 9.573, 47.37, 109.7, 222.5], "normalization": "minmax"},
        "_latitudes": [10.125 + 0.25 * i for i in range(128)], "_longitudes": [130.125 + 0.25 * i for i in range(128)]},
    # WenHai scale: the 1/4-degree global grid, 23 GLORYS levels (93 state channels).
    "wenhai-forecast": config(720, 1440, 93, 8, 4, 192, [8], [6], 8, 32) | {
        "forecast": {"levels": [0.494, 1.541, 2.646, 3.819, 5.078, 6.441, 7.930, 9.573, 11.405, 13.467, 15.810,
                                18.496, 21.599, 25.211, 29.445, 34.434, 40.344, 47.374, 55.764, 65.807, 77.854,
                                92.326, 109.73], "normalization": "minmax"},
        "_latitudes": [-89.875 + 0.25 * i for i in range(720)], "_longitudes": [-179.875 + 0.25 * i for i in range(1440)]},
    # WenHai's published size: GLORYS 1/12 degree (2041 x 4320 from 80S), 23 levels to 643.6 m (23 of GLORYS's
    # levels; which 23 does not change the cost), with the hyperparameters its authors' launch scripts suggest
    # (dim 768, patch 8, window 7, 12 heads, 12 blocks).
    "wenhai-full": config(2041, 4320, 93, 8, 8, 768, [12], [12], 7, 32) | {
        "forecast": {"levels": [0.494, 2.646, 5.078, 7.93, 11.405, 15.81, 21.599, 29.445, 40.344, 55.764, 77.854, 92.326,
                                109.73, 130.67, 155.85, 186.13, 222.48, 266.04, 318.13, 380.21, 453.94, 541.09, 643.57],
                     "normalization": "minmax"},
        "_latitudes": [-80 + i / 12 for i in range(2041)], "_longitudes": [-180 + i / 12 for i in range(4320)]},
}
BENCHMARK_CONFIGS = {
    "sample": config(128, 128, 21, 8, 4, 96, [6], [3], 8, 32),
    "wenhai": config(720, 1440, 93, 8, 4, 192, [8], [6], 8, 32),
}
DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": ml_dtypes.bfloat16}


def random_weights(cfg, rng):
    """Weights scaled like a trained network's: fan-in scaled kernels, norms near 1, visible biases."""
    weights = {}
    for name, shape in wenhai_config.parameter_shapes(cfg).items():
        if name.endswith("relative_position_bias_table"):
            value = 0.5 * rng.standard_normal(shape)
        elif len(shape) == 1 and (".norm" in name or name.startswith("norm")) and name.endswith(".weight"):
            value = 1.0 + 0.1 * rng.standard_normal(shape)
        elif len(shape) == 1:
            value = 0.1 * rng.standard_normal(shape)
        else:
            fan_in = shape[0] if name.endswith("conv_transpose.weight") else int(np.prod(shape[1:]))
            value = rng.standard_normal(shape) / np.sqrt(fan_in)
        weights[name] = value.astype(DTYPES[cfg.get("_dtype", "F32")])
    return weights


# Physical ranges per variable: (offset, scale) of the min-max normalisation and the clip range.
RANGES = {"uo": (-1.0, 2.0, -5.0, 5.0), "vo": (-1.0, 2.0, -5.0, 5.0), "thetao": (-2.0, 34.0, -2.5, 40.0),
          "so": (30.0, 10.0, 0.0, 45.0), "zos": (-1.5, 3.0, -3.0, 3.0)}
FLUX_RANGES = {"ql": (-200.0, 250.0), "ssr": (0.0, 400.0), "qh": (-150.0, 200.0), "qe": (-600.0, 650.0),
               "taux": (-1.0, 2.0), "tauy": (-1.0, 2.0), "evap": (-2e-4, 6e-4), "mtpr": (0.0, 1e-3)}


def normalisation(cfg):
    levels = len(cfg["forecast"]["levels"])
    names = [v for v in ("uo", "vo", "thetao", "so") for _ in range(levels)] + ["zos"]
    state = np.array([RANGES[n] for n in names], dtype=np.float32)
    flux = np.array(list(FLUX_RANGES.values()), dtype=np.float32)
    return {"state_offset": state[:, 0].copy(), "state_scale": state[:, 1].copy(),
            "state_lower": state[:, 2].copy(), "state_upper": state[:, 3].copy(),
            "flux_offset": flux[:, 0].copy(), "flux_scale": flux[:, 1].copy(),
            "latitude": np.array(cfg["_latitudes"], dtype=np.float64),
            "longitude": np.array(cfg["_longitudes"], dtype=np.float64)}


def write(folder, cfg, seed, inputs):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    public = {k: v for k, v in cfg.items() if not k.startswith("_")}
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(public, f, indent=2)
    weights = random_weights(cfg, rng)
    if "forecast" in cfg:
        # Daily changes a few percent of each channel's range, as a trained network's are.
        weights["head.weight"] *= 0.02
        weights["head.bias"] *= 0.02
        save_file(normalisation(cfg), os.path.join(folder, "normalization.safetensors"))
    save_file(weights, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
    if inputs:
        h, w = cfg["grid"]["height"], cfg["grid"]["width"]
        state = rng.standard_normal((cfg["state_channels"], h, w)).astype(np.float32)
        flux = rng.standard_normal((cfg["flux_channels"], h, w)).astype(np.float32)
        save_file({"state": state, "flux": flux}, os.path.join(folder, "inputs.safetensors"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--config", action="append")
    parser.add_argument("--inputs", action="store_true")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    known = TEST_CONFIGS | FORECAST_CONFIGS | BENCHMARK_CONFIGS
    for i, name in enumerate(args.config or TEST_CONFIGS):
        if name not in known:
            sys.exit(f"unknown config {name!r}; known: {', '.join(known)}")
        write(os.path.join(args.out, name), known[name], args.seed + i, args.inputs)
        print(os.path.join(args.out, name))


if __name__ == "__main__":
    main()
