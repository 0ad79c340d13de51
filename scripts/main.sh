#!/usr/bin/env bash
# The main job: a 15-day forecast, NetCDF to NetCDF, on weights-sample/ (the trained compact model, a held-out
# init and its forcing), then compared with the shipped reference grid (the stepper's forecast from the same
# init): RMSE, bias and largest difference per variable, depth and lead day. Without weights-sample/ it runs on
# a random-weight model folder of the sample domain and a generated init and forcing (tools/reference/).
# Extra arguments go to `forecastd run` (e.g. --threads 2). FORECASTD_WORK sets the work folder.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh --python
swift build -c release --product forecastd
work="${FORECASTD_WORK:-${TMPDIR:-/tmp}/forecastd-main}"
mkdir -p "$work"
if [ -f weights-sample/config.json ]; then
    model=weights-sample init=weights-sample/data/init.nc forcing=weights-sample/data/forcing.nc
else
    model="$work/sample-forecast" init="$work/case/init.nc" forcing="$work/case/forcing.nc"
    [ -f "$model/model.safetensors" ] || python3 tools/reference/make_models.py "$work" --config sample-forecast >/dev/null
    [ -f "$forcing" ] || python3 tools/reference/make_forecast_case.py "$model" "$work/case"
fi
.build/release/forecastd run --model "$model" --init "$init" --forcing "$forcing" --days 15 --out "$work/forecast.nc" "$@"
.build/release/forecastd inspect "$work/forecast.nc"
if [ -f weights-sample/data/reference.nc ]; then
    # Exit 1 means "differs from the reference", which a surrogate does: the report is the result.
    status=0
    .build/release/forecastd compare weights-sample/data/reference.nc "$work/forecast.nc" --report "$work/comparison.md" \
        > "$work/comparison.txt" || status=$?
    [ "$status" -le 1 ] || exit "$status"
    grep -E "^(zos|thetao|uo|vo|so)" "$work/comparison.txt" | head -40 || true
    echo "comparison with the stepper's reference: $work/comparison.md"
fi
