#!/usr/bin/env bash
# The main job: a 15-day forecast, NetCDF to NetCDF. On weights-sample/ (the trained compact model and its
# sample init and forcing) once that folder exists; until then on a random-weight model folder of the sample
# domain and a generated CMEMS/ERA5-style init and forcing (tools/reference/).
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
