#!/usr/bin/env bash
# The main job, the mission on one screen: a 15-day forecast by the surrogate (weights-sample/), NetCDF to
# NetCDF; the stepper's forecast from the same init and forcing, timed the same way (whole processes, the same
# threads: FORECASTD_THREADS, else the physical cores); the speed-up; the skill of both and of persistence
# against the truth (weights-sample/data/truth.nc, the reference run's daily means) at lead days 1, 5, 10, 15;
# and pictures (RMSE against lead day, quick-look maps). Without weights-sample/ it runs a random-weight model
# of the sample domain on a generated init and forcing (tools/reference/) and skips the skill.
# Extra arguments go to `forecastd run` (e.g. --precision bf16). FORECASTD_WORK sets the work folder.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh --python
swift build -c release --product forecastd 2>&1 | tail -1
forecastd=.build/release/forecastd
work="${FORECASTD_WORK:-${TMPDIR:-/tmp}/forecastd-main}"
pictures="$work/pictures"
mkdir -p "$work" "$pictures"
if [ -f weights-sample/config.json ]; then
    model=weights-sample data=weights-sample/data
    init=$data/init.nc forcing=$data/forcing.nc
else
    model="$work/sample-forecast" init="$work/case/init.nc" forcing="$work/case/forcing.nc"
    [ -f "$model/model.safetensors" ] || python3 tools/reference/make_models.py "$work" --config sample-forecast >/dev/null
    [ -f "$forcing" ] || python3 tools/reference/make_forecast_case.py "$model" "$work/case"
fi

# Wall-clock seconds of a whole command (its log goes to $work/NAME.log).
timed() {
    local name=$1; shift
    local start end
    start=$(date +%s.%N)
    "$@" > "$work/$name.log" 2>&1 || { echo "$name failed: see $work/$name.log" >&2; tail -5 "$work/$name.log" >&2; exit 1; }
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.2f}')"
}

surrogate_s=$(timed surrogate "$forecastd" run --model "$model" --init "$init" --forcing "$forcing" --days 15 --out "$work/forecast.nc" "$@")
echo "surrogate: 15-day forecast in $surrogate_s s -> $work/forecast.nc"
grep -h "event=startup" "$work/surrogate.log" | sed 's/^/  /' || true
if [ ! -f weights-sample/stepper-config.json ]; then
    echo "(no weights-sample/: the stepper comparison and the skill need its ocean and truth)"
    exit 0
fi
stepper_s=$(timed stepper "$forecastd" simulate --config weights-sample/stepper-config.json --init "$init" --forcing "$forcing" \
    --days 15 --out "$work/stepper.nc")
echo "stepper:   15-day forecast in $stepper_s s -> $work/stepper.nc"
python3 -c "print(f'speed-up: the surrogate forecasts {$stepper_s / $surrogate_s:.1f}x faster than the stepper (whole processes, same threads)')"
echo
"$forecastd" verify --truth "$data/truth.nc" --init "$init" surrogate="$work/forecast.nc" stepper="$work/stepper.nc" \
    --vars thetao,so,uo,vo,zos --leads 1,5,10,15 --plot "$pictures" --report "$work/skill.md"
for day in 1 15; do
    "$forecastd" plot "$work/forecast.nc" --var thetao --depth 0 --day "$day" --out "$pictures/thetao_day$day.png" > /dev/null
    # truth.nc holds the 15 forecast days: index day - 1 is the same valid date.
    "$forecastd" plot "$data/truth.nc" --var thetao --depth 0 --time $((day - 1)) --out "$pictures/truth_thetao_day$day.png" > /dev/null
done
"$forecastd" plot "$work/forecast.nc" --var zos --day 5 --out "$pictures/zos_day5.png" > /dev/null
"$forecastd" plot "$work/forecast.nc" --var uo --depth 0 --day 5 --out "$pictures/uo_day5.png" > /dev/null
echo
echo "every score (all depths): $work/skill.md"
echo "pictures: $pictures/ ($(ls "$pictures" | tr '\n' ' '))"
