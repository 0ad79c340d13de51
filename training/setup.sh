#!/usr/bin/env bash
# Installs the training's Python packages (CPU JAX, optax, xarray, netCDF4, safetensors, matplotlib for the plots).
set -euo pipefail
cd "$(dirname "$0")"
python3 -m pip install --quiet --disable-pip-version-check -r requirements.txt
