#!/usr/bin/env bash
# Installs the system packages forecastd builds against (Debian 12); with --test also the independent
# readers and CF tools the tests compare with (cdo, and Python's xarray, netCDF4 and cftime). Idempotent:
# what is present is left alone, and apt and pip are only consulted when something is missing.
set -euo pipefail

packages=(libopenblas-dev libnetcdf-dev netcdf-bin pkg-config)
if [ "${1:-}" = "--test" ]; then
    packages+=(cdo)
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

if [ "${1:-}" = "--test" ] && ! python3 -c "import xarray, netCDF4, cftime" 2>/dev/null; then
    echo "installing: xarray netCDF4 cftime (pip)"
    python3 -m pip install -q xarray netCDF4 cftime || python3 -m pip install -q --break-system-packages xarray netCDF4 cftime
fi
