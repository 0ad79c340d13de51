#!/usr/bin/env bash
# Runs `forecastd bench io` on the 1/4-degree global grid (93 channels) and writes benchmarks/results/io.md.
# Needs xarray/netCDF4 (python3) and nccopy for the references. Usage: benchmarks/run-io.sh [repetitions]
set -euo pipefail
cd "$(dirname "$0")/.."
repetitions="${1:-3}"
swift build -c release --product forecastd >/dev/null
command=".build/release/forecastd bench io --repetitions $repetitions"
out=benchmarks/results/io.md
{
    echo "# NetCDF I/O benchmark"
    echo
    echo "Command: \`$command\` (from the repository root, after \`swift build -c release\`)."
    echo
    echo '```'
    $command
    echo '```'
} > "$out"
echo "wrote $out"
