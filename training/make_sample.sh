#!/usr/bin/env bash
# Assembles weights-sample/ from a trained model folder and the held-out year: the model (config.json,
# model.safetensors, normalization.safetensors, mask.safetensors), data/init.nc (the held-out day START),
# data/forcing.nc (the synthetic atmosphere of the 15 days after it), data/reference.nc (the stepper's 15-day
# forecast from that init: the reference grid), data/truth.nc (the continuous run's daily means of those 15 days:
# what the forecasts are verified against) and stepper-config.json (the configuration that made the data).
# Usage: training/make_sample.sh DATA_DIR MODEL_DIR YEAR START   (e.g. /data/sample runs/sample/model 2004 2004-06-01)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:?usage}" model="${2:?usage}" year="${3:?usage}" start="${4:?usage}"
forecastd=.build/release/forecastd
out=weights-sample
mkdir -p "$out/data"
cp "$model"/{config.json,model.safetensors,normalization.safetensors,mask.safetensors} "$out/"
cp training/sample-ocean.json "$out/stepper-config.json"
# days FIRST COUNT TARGET: COUNT daily means of the held-out year from FIRST, as a file of their own.
days() {
    python3 - "$data/ocean-$year.nc" "$1" "$2" "$3" <<'PY'
import sys, numpy as np, xarray as xr
source, first, count, target = sys.argv[1:]
with xr.open_dataset(source) as d:
    dates = np.datetime64(first) + np.arange(int(count)) * np.timedelta64(1, "D")
    # Daily means, not a forecast: the year run's reference time (its January 1st) and lead times would say otherwise.
    day = d.sel(time=dates).drop_vars(["forecast_reference_time", "forecast_period"], errors="ignore")
    encoding = {v: {"zlib": True, "complevel": 4} for v in ("thetao", "so", "uo", "vo", "zos")}
    for name in day.variables:  # a new file: the year file's content checksums do not describe it
        day[name].attrs.pop("forecastd_checksum", None)
    day.to_netcdf(target, encoding=encoding)
PY
}
days "$start" 1 "$out/data/init.nc"
days "$(date -d "$start + 1 day" +%F)" 15 "$out/data/truth.nc"
"$forecastd" atmosphere --config training/sample-ocean.json --start "$start" --days 15 --out "$out/data/forcing.nc" 2>/dev/null
"$forecastd" simulate --config training/sample-ocean.json --init "$out/data/init.nc" --forcing "$out/data/forcing.nc" \
    --days 15 --out "$out/data/reference.nc" 2>/dev/null
du -sh "$out"
