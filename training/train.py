#!/usr/bin/env python3
"""Trains the compact surrogate on the stepper's daily means and exports a forecastd model folder.

Phase 1 fits the one-day change (teacher forcing); phase 2 fine-tunes on multi-day rollouts (the network fed its
own state; the fluxes those of the true state, or with --forecast-fluxes those of its own state after the first day,
as in a forecast) for stability. The network predicts the change in units of each
channel's daily-change spread; the export folds that scale into the head, so the folder's network outputs the
change in normalised state units, as forecastd's rollout adds it. Checkpoints every --checkpoint-every steps to
OUT/checkpoint.pkl and resumes from it; every option and seed is recorded in OUT/training.json.

Usage: train.py --data DIR --years 2001 2002 2003 --out DIR [--steps 4000] [--rollout-steps 1500] [--init-from MODEL]
                [--forecast-fluxes] [--rollout-loss change|both] [--smoke]
"""
import argparse
import json
import os
import pickle
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from safetensors.numpy import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as ocean_data  # noqa: E402
import surrogate  # noqa: E402
import make_models  # noqa: E402  (tools/reference, on the path through surrogate)

def arguments(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--years", nargs="+", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--embed-dim", type=int, default=64)
    p.add_argument("--depths", type=int, nargs="+", default=[4])
    p.add_argument("--heads", type=int, nargs="+", default=[2])
    p.add_argument("--window", type=int, default=8)
    p.add_argument("--patch", type=int, default=4)
    p.add_argument("--groups", type=int, default=16)
    p.add_argument("--steps", type=int, default=4000, help="phase 1 (one-day) optimiser steps")
    p.add_argument("--rollout-steps", type=int, default=1500, help="phase 2 (rollout) optimiser steps")
    p.add_argument("--rollout-days", type=int, default=4)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--rollout-batch", type=int, default=2)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--rollout-lr", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--checkpoint-every", type=int, default=250)
    p.add_argument("--init-from", help="start from this model folder's weights (e.g. weights-sample) instead of random ones")
    p.add_argument("--rollout-loss", choices=["change", "both"], default="change",
                   help="rollout errors in units of each channel's daily change, or those plus the errors in state units "
                        "(each channel's spread), weighed alike")
    p.add_argument("--forecast-fluxes", action="store_true",
                   help="rollout days after the first take the fluxes of the rollout's own state and the day's atmosphere, as a "
                        "forecast does (no gradient through them), instead of the true state's")
    p.add_argument("--smoke", action="store_true", help="a few steps of each phase, to prove the path end to end")
    args = p.parse_args(argv)
    if args.smoke:
        args.steps, args.rollout_steps, args.rollout_days, args.checkpoint_every = 3, 2, 2, 2
    return args


class Normalisation:
    """z-score statistics over ocean cells of the training years, and each channel's daily-change spread."""

    def __init__(self, series):
        s = series.state
        self.state_offset = np.array([np.nanmean(s[:, c]) for c in range(s.shape[1])], np.float32)
        self.state_scale = np.array([max(np.nanstd(s[:, c]), 1e-6) for c in range(s.shape[1])], np.float32)
        change = (s[1:] - s[:-1]) / self.state_scale[None, :, None, None]
        self.change_scale = np.array([max(np.nanstd(change[:, c]), 1e-6) for c in range(s.shape[1])], np.float32)
        f = series.flux                                                    # NaN on land (no SST there)
        self.flux_offset = np.array([np.nanmean(f[:, c]) for c in range(f.shape[1])], np.float32)
        self.flux_scale = np.array([max(np.nanstd(f[:, c]), 1e-6) for c in range(f.shape[1])], np.float32)
        names = [v for v in ocean_data.VARIABLES for _ in range(series.levels)] + ["zos"]
        # The physical clip range forecastd applies every forecast day (tools/reference/make_models.py's).
        self.lower = np.array([make_models.RANGES[n][2] for n in names], np.float32)
        self.upper = np.array([make_models.RANGES[n][3] for n in names], np.float32)

    def state(self, x):
        return np.where(np.isfinite(x), (x - self.state_offset[:, None, None]) / self.state_scale[:, None, None], 0).astype(np.float32)

    def flux(self, f):
        v = (f - self.flux_offset[:, None, None]) / self.flux_scale[:, None, None]
        return np.where(np.isfinite(v), v, 0).astype(np.float32)

    def bounds(self):
        return (self.lower - self.state_offset) / self.state_scale, (self.upper - self.state_offset) / self.state_scale


def model_config(args, series):
    h, w = series.state.shape[2:]
    return {"model_type": "wenhai-swin", "grid": {"height": int(h), "width": int(w)},
            "state_channels": int(series.state.shape[1]), "flux_channels": 8, "patch_size": args.patch,
            "embed_dim": args.embed_dim, "depths": args.depths, "num_heads": args.heads, "window_size": args.window,
            "mlp_ratio": 4.0, "group_norm_groups": args.groups, "norm_eps": 1e-5,
            "forecast": {"levels": [float(d) for d in series.depths], "normalization": "zscore"}}


def export(folder, params, cfg, norm, series):
    """config.json, model.safetensors (change scale folded into the head), normalization.safetensors, mask."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    weights = {k: np.asarray(v, np.float32) for k, v in params.items()}
    p = cfg["patch_size"]
    rows = np.repeat(norm.change_scale, p * p)            # head output o = channel * p * p + offset in the patch
    weights["head.weight"] = weights["head.weight"] * rows[:, None]
    weights["head.bias"] = weights["head.bias"] * rows
    save_file(weights, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
    save_file({"state_offset": norm.state_offset, "state_scale": norm.state_scale, "state_lower": norm.lower,
               "state_upper": norm.upper, "flux_offset": norm.flux_offset, "flux_scale": norm.flux_scale,
               "latitude": series.latitudes, "longitude": series.longitudes},
              os.path.join(folder, "normalization.safetensors"))
    save_file({"ocean": series.ocean.astype(np.uint8)}, os.path.join(folder, "mask.safetensors"))


def exported_parameters(folder, norm, patch):
    """A model folder's weights as training parameters: export's folding of the change scale into the head undone."""
    from safetensors.numpy import load_file
    weights = load_file(os.path.join(folder, "model.safetensors"))
    rows = np.repeat(norm.change_scale, patch * patch)
    weights["head.weight"] = weights["head.weight"] / rows[:, None]
    weights["head.bias"] = weights["head.bias"] / rows
    return {k: jnp.asarray(v) for k, v in weights.items()}


def forecast_fluxes(norm, series):
    """The normalised fluxes a forecast computes from a normalised state [B, S, H, W] and the day's atmosphere
    [B, 8, H, W], in jax.numpy with no gradient through them, defined where Normalisation.flux leaves them: the
    state's fluxes on the SST channel's ocean, the atmosphere's own (ssr, mtpr) everywhere, 0 elsewhere."""
    state_offset, state_scale = (jnp.asarray(a)[None, :, None, None] for a in (norm.state_offset, norm.state_scale))
    flux_offset, flux_scale = (jnp.asarray(a)[None, :, None, None] for a in (norm.flux_offset, norm.flux_scale))
    passed = np.isin(np.arange(8), [ocean_data.bulk_fluxes.OUTPUTS.index(n) for n in ("ssr", "mtpr")])
    defined = np.maximum(series.ocean[2 * series.levels][None], passed[:, None, None])[None]

    def own(s, atmosphere):
        physical = jax.lax.stop_gradient(s) * state_scale + state_offset
        f = ocean_data.fluxes(physical, atmosphere, series.levels, xp=jnp)
        return jnp.where(defined, (f - flux_offset) / flux_scale, 0.0)
    return own


def main(argv=None):
    args = arguments(argv)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "training.json"), "w") as f:
        json.dump({"command": sys.argv, **vars(args), "jax": jax.__version__, "optax": optax.__version__}, f, indent=2)
    series = ocean_data.Series(args.data, args.years)
    norm = Normalisation(series)
    cfg = model_config(args, series)
    h, w = cfg["grid"]["height"], cfg["grid"]["width"]
    net = surrogate.Surrogate(cfg, h, w)
    states = np.stack([norm.state(x) for x in series.state])                  # [T, S, H, W]
    fluxes = np.stack([norm.flux(f) for f in series.flux])                    # [T - 1, 8, H, W]
    ocean = jnp.asarray(series.ocean, jnp.float32)
    weight = jnp.asarray(np.cos(np.deg2rad(series.latitudes)), jnp.float32)[None, None, :, None] * ocean[None]
    weight = weight / weight.mean()
    r = jnp.asarray(norm.change_scale)[None, :, None, None]
    lower, upper = (jnp.asarray(b)[None, :, None, None] for b in norm.bounds())

    def advance(params, s, f):
        change = net.forward(params, s, f) * r
        return jnp.clip(s + change, lower, upper) * ocean[None]

    def one_day(params, s, f, target):
        z = net.forward(params, s, f)
        return jnp.mean(weight * (z - (target - s) / r) ** 2)

    own_fluxes = forecast_fluxes(norm, series)
    if args.smoke and args.forecast_fluxes:  # the forecast's fluxes of a true state are the data's
        gap = float(jnp.max(jnp.abs(own_fluxes(jnp.asarray(states[:1]), jnp.asarray(series.atmosphere[1:2])) - fluxes[:1])))
        if gap > 1e-3:
            raise SystemExit(f"fluxes of the rollout's state differ from the data's by {gap} (normalised units)")

    def rollout(params, s, fs, targets, atmospheres):
        change, state = 0.0, 0.0
        for k in range(fs.shape[1]):
            s = advance(params, s, own_fluxes(s, atmospheres[:, k]) if args.forecast_fluxes and k > 0 else fs[:, k])
            change = change + jnp.mean(weight * ((s - targets[:, k]) / r) ** 2)
            state = state + jnp.mean(weight * (s - targets[:, k]) ** 2)
        if args.rollout_loss == "change":
            return change / fs.shape[1]
        # Both errors, the state's scaled to the change's size batch by batch: slowly changing channels (the deep
        # ocean) weigh most in units of daily change, the most variable ones (surface currents) in state units.
        return (change + jax.lax.stop_gradient(change / state) * state) / fs.shape[1]

    def make_step(loss_fn, lr, steps):
        schedule = optax.warmup_cosine_decay_schedule(0.0, lr, max(1, min(200, steps // 10)), max(steps, 2), lr * 0.02)
        opt = optax.chain(optax.clip_by_global_norm(1.0), optax.adamw(schedule, weight_decay=1e-4))

        @jax.jit
        def step(params, state, *batch):
            value, grads = jax.value_and_grad(loss_fn)(params, *batch)
            updates, state = opt.update(grads, state, params)
            return optax.apply_updates(params, updates), state, value
        return opt, step

    checkpoint = os.path.join(args.out, "checkpoint.pkl")
    params, phase, done, opt_state = surrogate.initial_parameters(cfg, args.seed), 1, 0, None
    if args.init_from:
        params = exported_parameters(args.init_from, norm, args.patch)
    if os.path.exists(checkpoint):
        with open(checkpoint, "rb") as f:
            saved = pickle.load(f)
        params = {k: jnp.asarray(v) for k, v in saved["params"].items()}
        phase, done, opt_state = saved["phase"], saved["done"], saved["opt_state"]
        print(f"resumed: phase {phase}, step {done}", flush=True)
    log = open(os.path.join(args.out, "loss.log"), "a")
    for this_phase, total in ((1, args.steps), (2, args.rollout_steps)):
        if this_phase < phase:
            continue
        if this_phase > phase:
            phase, done, opt_state = this_phase, 0, None
        days = 1 if phase == 1 else args.rollout_days
        batch = args.batch if phase == 1 else args.rollout_batch
        opt, step = make_step(one_day if phase == 1 else rollout, args.lr if phase == 1 else args.rollout_lr, total)
        opt_state = opt.init(params) if opt_state is None else jax.tree_util.tree_map(jnp.asarray, opt_state)
        starts_available = len(fluxes) - days + 1
        clock = time.time()
        while done < total:
            rng_step = np.random.default_rng([args.seed, phase, done])    # the batch depends on the step alone
            starts = rng_step.integers(0, starts_available, batch)
            s = jnp.asarray(states[starts])
            if phase == 1:
                params, opt_state, value = step(params, opt_state, s, jnp.asarray(fluxes[starts]), jnp.asarray(states[starts + 1]))
            else:
                fs = jnp.asarray(np.stack([fluxes[t:t + days] for t in starts]))
                targets = jnp.asarray(np.stack([states[t + 1:t + 1 + days] for t in starts]))
                atmospheres = jnp.asarray(np.stack([series.atmosphere[t + 1:t + 1 + days] for t in starts]))
                params, opt_state, value = step(params, opt_state, s, fs, targets, atmospheres)
            done += 1
            if done % 25 == 0 or done == total:
                line = f"phase {phase} step {done}/{total} loss {float(value):.5f} ({(time.time() - clock) / 25:.2f} s/step)"
                print(line, flush=True)
                log.write(line + "\n")
                log.flush()
                clock = time.time()
            if done % args.checkpoint_every == 0 or done == total:
                temporary = checkpoint + ".partial"
                with open(temporary, "wb") as f:
                    pickle.dump({"params": {k: np.asarray(v) for k, v in params.items()}, "phase": phase, "done": done,
                                 "opt_state": jax.tree_util.tree_map(np.asarray, opt_state)}, f)
                os.replace(temporary, checkpoint)
    export(os.path.join(args.out, "model"), params, cfg, norm, series)
    print(f"exported {os.path.join(args.out, 'model')}", flush=True)


if __name__ == "__main__":
    main()
