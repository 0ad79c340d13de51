#!/usr/bin/env bash
# The training path end to end on a small ocean, as CI runs it: stepper data -> train.py --smoke -> export ->
# forecastd run, compared with the training framework's own rollout (rollout.py) on the same inputs; first the
# JAX network against the numpy reference (check_architecture.py).
# Prints one line per variable "compare VAR relative=... max_abs=..." and fails if any relative L2 difference
# exceeds 1e-3. Usage: training/smoke.sh WORK_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:?usage: training/smoke.sh WORK_DIR}"
forecastd=.build/release/forecastd
config=training/smoke-ocean.json
mkdir -p "$work"
(cd training && python3 check_architecture.py)
"$forecastd" simulate --config "$config" --days 12 --out "$work/ocean-2001.nc" 2>/dev/null
"$forecastd" atmosphere --config "$config" --start 2001-01-01 --days 12 --out "$work/atmosphere-2001.nc" 2>/dev/null
python3 training/train.py --data "$work" --years 2001 --out "$work/train" --smoke --forecast-fluxes --rollout-loss both --embed-dim 32 --groups 8
python3 - "$work" <<'PY'
import sys, xarray as xr
work = sys.argv[1]
with xr.open_dataset(f"{work}/ocean-2001.nc") as d:
    d.isel(time=[6]).to_netcdf(f"{work}/init.nc")   # 2001-01-08
PY
"$forecastd" atmosphere --config "$config" --start 2001-01-08 --days 4 --out "$work/forcing.nc" 2>/dev/null
python3 training/rollout.py "$work/train/model" "$work/init.nc" "$work/forcing.nc" 4 "$work/jax.nc"
"$forecastd" run --model "$work/train/model" --init "$work/init.nc" --forcing "$work/forcing.nc" --days 4 --out "$work/forecastd.nc" 2>/dev/null
python3 training/compare_rollouts.py "$work/forecastd.nc" "$work/jax.nc"
