#!/usr/bin/env bash
# Installs the system packages forecastd builds against (Debian 12); with --test also the independent readers
# and tools the tests compare with (cdo, NCO, Slurm, wrk for the daemon's benchmark smoke run, Chromium for the
# daemon's pages; Python's numpy, xarray, netCDF4, cftime, safetensors, and onnx with onnxruntime for the
# surrogate's parity tests, OpenVINO for the forward-pass benchmark, training/requirements.txt: CPU JAX, optax,
# matplotlib for the training smoke test and the JAX-against-forecastd rollout check, and OWSLib to drive the
# daemon as an OGC API client; PyTorch (CPU) to export WenHai-structured ONNX files for the importer's tests, and
# AeroBulk built with gfortran in its own environment (~/.cache/forecastd/aerobulk: it needs numpy < 2) to check
# the WenHai flux recipe against); with --python only those Python packages (the main job generates its sample model
# and inputs with them). Idempotent: what is present is left alone, and apt and pip are only consulted when
# something is missing.
set -euo pipefail

packages=(libopenblas-dev libnetcdf-dev libhdf5-dev libdeflate-dev netcdf-bin pkg-config)
python=false
case "${1:-}" in
    --test) packages+=(cdo nco slurm-wlm wrk chromium gfortran python3-venv); python=true ;;
    --python) python=true ;;
esac
if $python; then
    python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    echo "installing: ${missing[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python_packages=(numpy xarray netCDF4 cftime safetensors onnx onnxruntime ml_dtypes)
if $python && ! python3 -c "import numpy, xarray, netCDF4, cftime, safetensors, onnx, onnxruntime, ml_dtypes" 2>/dev/null; then
    echo "installing: ${python_packages[*]} (pip)"
    python3 -m pip install -q "${python_packages[@]}" || python3 -m pip install -q --break-system-packages "${python_packages[@]}"
fi

# OpenVINO: the inference engine a user on an Intel CPU would pick, which tools/bench_surrogate.py (and the
# benchmark smoke run) times beside forecastd and ONNX Runtime.
if [ "${1:-}" = --test ] && ! python3 -c "import openvino" 2>/dev/null; then
    echo "installing: openvino (pip)"
    python3 -m pip install -q openvino || python3 -m pip install -q --break-system-packages openvino
fi

training="$(dirname "$0")/../training/requirements.txt"
if [ "${1:-}" = --test ] && ! python3 -c "import jax, optax, matplotlib" 2>/dev/null; then
    echo "installing: training/requirements.txt (pip)"
    python3 -m pip install -q -r "$training" || python3 -m pip install -q --break-system-packages -r "$training"
fi

# OWSLib: the standard Python client for OGC APIs, which drives `forecastd serve` end to end in the tests.
if [ "${1:-}" = --test ] && ! python3 -c "import owslib, requests" 2>/dev/null; then
    echo "installing: OWSLib (pip)"
    python3 -m pip install -q OWSLib requests || python3 -m pip install -q --break-system-packages OWSLib requests
fi

# PyTorch, CPU build: tools/reference/wenhai_torch.py exports WenHai-structured networks with torch.onnx.export.
if [ "${1:-}" = --test ] && ! python3 -c "import torch" 2>/dev/null; then
    echo "installing: torch, CPU build (pip)"
    for source in "torch==2.13.0+cpu" "--index-url https://download.pytorch.org/whl/cpu torch" "torch"; do
        # shellcheck disable=SC2086
        python3 -m pip install -q $source 2>/dev/null || python3 -m pip install -q --break-system-packages $source 2>/dev/null \
            && break
    done
fi

# AeroBulk (aerobulk-python, Fortran): the reference for the flux recipe WenHai's published pipeline uses. It builds
# only against numpy < 2 (numpy.distutils), so it gets an environment of its own.
aerobulk="${FORECASTD_AEROBULK_ENV:-$HOME/.cache/forecastd/aerobulk}"
if [ "${1:-}" = --test ] && ! "$aerobulk/bin/python" -c "import aerobulk, safetensors" 2>/dev/null; then
    echo "installing: aerobulk-python in $aerobulk (pip, gfortran)"
    python3 -m venv "$aerobulk"
    "$aerobulk/bin/pip" install -q "numpy<2" setuptools wheel meson ninja safetensors "xarray<2024.7" "pandas<2.3"
    "$aerobulk/bin/pip" install -q --no-build-isolation aerobulk-python
    "$aerobulk/bin/pip" install -q "numpy<2"
fi
