#!/usr/bin/env bash
# End-to-end 15-day forecasts (NetCDF in, NetCDF out) for the sample domain and the WenHai-scale grid, with
# random-weight model folders, split by phase (read, fluxes, network, write) with peak RSS, at 1 and 2 threads.
# Usage: [DEFLATE=1] benchmarks/forecast.sh WORK_DIR [CONFIG ...]   (configs: sample-forecast wenhai-forecast)
# Writes benchmarks/results/forecast.md. Needs python3 with numpy, safetensors, netCDF4 for the inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:?usage: benchmarks/forecast.sh WORK_DIR [CONFIG ...]}"
shift
deflate="${DEFLATE:-1}"
configs=("$@")
[ ${#configs[@]} -eq 0 ] && configs=(sample-forecast wenhai-forecast)
swift build -c release --product forecastd >/dev/null
out=benchmarks/results/forecast-deflate$deflate.md
{
    echo "# End-to-end 15-day forecasts"
    echo
    echo "Command: \`DEFLATE=$deflate benchmarks/forecast.sh WORK_DIR ${configs[*]}\` (random-weight model folders from"
    echo "\`tools/reference/make_models.py\`, inputs from \`tools/reference/make_forecast_case.py\`; output deflate $deflate)."
    echo "Writing overlaps the next day's compute: the write column is the time the forecast waited for the writer."
    echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs."
    echo
    echo "| config | threads | total s | read s | fluxes s | network s | write s | peak RSS MiB |"
    echo "|---|---|---|---|---|---|---|---|"
} > "$out"
for config in "${configs[@]}"; do
    [ -d "$work/$config" ] || python3 tools/reference/make_models.py "$work" --config "$config" >/dev/null
    [ -f "$work/$config-case/forcing.nc" ] || python3 tools/reference/make_forecast_case.py "$work/$config" "$work/$config-case"
    for threads in 1 2; do
        line=$(.build/release/forecastd run --model "$work/$config" --init "$work/$config-case/init.nc" \
            --forcing "$work/$config-case/forcing.nc" --out "$work/$config-case/forecast.nc" --threads "$threads" \
            --deflate "$deflate" 2>&1 \
            | grep '^event=done')
        value() { echo "$line" | tr ' ' '\n' | grep "^$1=" | cut -d= -f2; }
        echo "| $config | $threads | $(value total_s) | $(value read_s) | $(value fluxes_s) | $(value network_s) | $(value write_s) | $(value peak_rss_mib) |" >> "$out"
        rm -f "$work/$config-case/forecast.nc"
    done
done
echo "wrote $out"
cat "$out"
