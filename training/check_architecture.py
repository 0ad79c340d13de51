#!/usr/bin/env python3
"""Checks the JAX network (surrogate.py) against the numpy reference (tools/reference/forward.py, float64) on
random-weight test configs, with and without stages and padding. Prints the largest difference relative to the
output's largest magnitude per config; exits 1 above 1e-5."""
import sys

import jax.numpy as jnp
import numpy as np

import surrogate
import make_models  # noqa: E402  (tools/reference, on the path through surrogate)


def main():
    worst = 0.0
    for name in ("w8-p4-stages", "w7-p4-depth2"):
        cfg = make_models.TEST_CONFIGS[name]
        h, w = cfg["grid"]["height"], cfg["grid"]["width"]
        params = surrogate.initial_parameters(cfg, 1, head_scale=1.0)
        params["head.bias"] = params["head.bias"] + 0.1
        rng = np.random.default_rng(0)
        state = rng.standard_normal((cfg["state_channels"], h, w))
        flux = rng.standard_normal((cfg["flux_channels"], h, w))
        reference = surrogate.reference.Reference.__new__(surrogate.reference.Reference)
        reference.cfg = {**surrogate.wenhai_config.DEFAULTS, **cfg}
        reference.p = {k: np.asarray(v, np.float64) for k, v in params.items()}
        reference.eps = reference.cfg["norm_eps"]
        want = reference.forward(state, flux)
        got = np.asarray(surrogate.Surrogate(cfg, h, w).forward(params, jnp.asarray(state[None], jnp.float32),
                                                                jnp.asarray(flux[None], jnp.float32))[0])
        error = float(np.abs(got - want).max() / np.abs(want).max())
        worst = max(worst, error)
        print(f"architecture {name} relative={error:.2e}")
    sys.exit(0 if worst <= 1e-5 else 1)


if __name__ == "__main__":
    main()
