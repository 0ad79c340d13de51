#!/usr/bin/env bash
# Installs the system packages forecastd builds and tests against (Debian 12). Idempotent: packages already
# present are left alone, and apt is only consulted when something is missing.
set -euo pipefail

packages=(libopenblas-dev libnetcdf-dev netcdf-bin pkg-config)
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
