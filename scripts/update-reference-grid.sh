#!/usr/bin/env bash
# Regenerates the committed reference grid of the regression test (Tests/ModelTests/Fixtures/
# forecast-reference.nc): a 15-day forecast of the random-weight "forecast" model folder on the generated case,
# both made from fixed seeds by tools/reference/. Run it only when a change to forecastd is meant to change
# the forecast, and say why in the commit.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product forecastd >/dev/null
work=$(mktemp -d)
python3 tools/reference/make_models.py "$work" --config forecast >/dev/null
python3 tools/reference/make_forecast_case.py "$work/forecast" "$work/case"
.build/release/forecastd run --model "$work/forecast" --init "$work/case/init.nc" --forcing "$work/case/forcing.nc" \
    --days 15 --deflate 9 --out Tests/ModelTests/Fixtures/forecast-reference.nc
rm -rf "$work"
