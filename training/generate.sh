#!/usr/bin/env bash
# Generates the sample ocean's training data with the stepper: a spin-up year, then daily means year by year,
# each year continued exactly from the previous one's restart file, with the synthetic atmosphere of the same
# days written beside it (the training reads the atmosphere to make the surrogate's flux inputs).
# Restartable at every level: a finished year is skipped, an interrupted one resumes from its last restart.
# Usage: training/generate.sh DATA_DIR [FIRST_YEAR=2000] [LAST_YEAR=2004]
# (FIRST_YEAR is the spin-up year; its daily means are kept but the training does not use them.)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:?usage: training/generate.sh DATA_DIR [FIRST_YEAR] [LAST_YEAR]}"
first="${2:-2000}" last="${3:-2004}"
config=training/sample-ocean.json
forecastd=.build/release/forecastd
[ -x "$forecastd" ] || swift build -c release --product forecastd
mkdir -p "$data"
cp "$config" "$data/sample-ocean.json"
init=()
for year in $(seq "$first" "$last"); do
    days=$(( $(date -d "$((year + 1))-01-01" +%s) / 86400 - $(date -d "$year-01-01" +%s) / 86400 ))
    start="$year-01-01"
    if [ ! -f "$data/ocean-$year.nc" ]; then
        echo "year $year: $days days from $start" >&2
        "$forecastd" simulate --config "$config" "${init[@]}" --days "$days" --out "$data/ocean-$year.nc" \
            --restart-dir "$data/restart-$year"
    fi
    [ -f "$data/atmosphere-$year.nc" ] || "$forecastd" atmosphere --config "$config" --start "$start" --days "$days" \
        --out "$data/atmosphere-$year.nc" 2>/dev/null
    init=(--init "$data/restart-$year/restart.nc")
done
echo "done: $data" >&2
