#!/usr/bin/env bash
# Runs benchmark suites and writes their figures: benchmarks/results/SUITE.json (with the command and date in
# results/commands.json), then benchmarks/RESULTS.md (benchmarks/report.py) and the plots (benchmarks/plot.py).
# Suites: kernels model io stepper validation speedup scaling forecast serve quicklook ensemble wenhai-import, and wenhai-full
# and wenhai-full-15 (WenHai's published size, 2 days in bf16 and fp32, and 15 days in bf16: tens of GB of inputs and
# a minute per forecast day, so only when named). Default: all but
# wenhai-full, in that order. FORECASTD=PATH times that binary instead of building .build/release/forecastd.
# Usage: benchmarks/run.sh WORK_DIR [SUITE ...]
# Every suite interleaves its contenders within rounds (>= 5 rounds) and reports medians with min and max.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:?usage: benchmarks/run.sh WORK_DIR [SUITE ...]}"
shift
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(kernels model io stepper validation speedup scaling forecast serve quicklook ensemble wenhai-import)
mkdir -p "$work" benchmarks/results
if [ -n "${FORECASTD:-}" ]; then
    f="$FORECASTD"
else
    swift build -c release --product forecastd >/dev/null
    f=.build/release/forecastd
fi
results=benchmarks/results

# record NAME OUTPUT_FILE|- COMMAND...: runs COMMAND (stdout to OUTPUT_FILE unless -: the command writes it) and
# notes the command line (the work folder written WORK, a binary given by FORECASTD written $FORECASTD) and date in
# results/commands.json.
record() {
    local name="$1" output="$2"
    shift 2
    echo "== $name: $*" >&2
    if [ "$output" = - ]; then "$@" >/dev/null; else "$@" > "$output"; fi
    local command="$*"
    [ -n "${FORECASTD:-}" ] && command="${command//$FORECASTD/\$FORECASTD}"
    command="${command//$work/WORK}"
    python3 - "$results/commands.json" "$name" "$command" <<'PY'
import datetime, json, os, sys
path, name, command = sys.argv[1:]
commands = json.load(open(path)) if os.path.exists(path) else {}
commands[name] = {"command": command, "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
json.dump(commands, open(path, "w"), indent=2, sort_keys=True)
PY
}

for suite in "${suites[@]}"; do
    case "$suite" in
        kernels) record kernels "$results/kernels.json" "$f" bench kernels --repetitions 9 --json ;;
        model) record model - python3 tools/bench_surrogate.py "$f" "$work/surrogate" --rounds 3 --passes 3 --busy --json "$results/model.json" ;;
        io) record io "$results/io.json" "$f" bench io --repetitions 5 --folder "$work" --json ;;
        stepper)
            [ -x "$work/venv-veros/bin/python" ] || { python3 -m venv "$work/venv-veros" && "$work/venv-veros/bin/pip" install -q veros==1.7.0; }
            record stepper "$results/stepper.json" "$f" bench stepper --days 5 --repetitions 5 --folder "$work" --json
            record stepper-acc-grid "$results/stepper-acc-grid.json" "$f" bench stepper --config benchmarks/configs/acc-grid.json \
                --days 30 --threads 1 --repetitions 5 --folder "$work" --json
            record veros - "$work/venv-veros/bin/python" benchmarks/veros_acc.py "$work" --days 30 --rounds 5 --json "$results/veros.json" ;;
        validation) record validation - python3 benchmarks/validation.py "$f" --json "$results/validation.json" ;;
        speedup) record speedup "$results/speedup.json" "$f" bench speedup --repetitions 5 --folder "$work" --json ;;
        scaling) record scaling - python3 benchmarks/scaling.py "$f" --rounds 5 --json "$results/scaling.json" ;;
        forecast)
            record forecast - python3 benchmarks/forecast.py "$f" "$work/forecast" --threads 2 --precision fp32 --precision bf16 --rounds 2 --json "$results/forecast.json"
            record versus-simulate - python3 benchmarks/forecast.py "$f" "$work/forecast" --versus-simulate --threads 1,2 --rounds 5 --json "$results/versus-simulate.json" ;;
        serve) record serve - python3 benchmarks/serve.py "$f" "$work" --rounds 5 --seconds 6 --jobs 5 --json "$results/serve.json" ;;
        ensemble) record ensemble - python3 benchmarks/ensemble.py "$f" "$work/ensemble" --members 1,8,32,64 --threads 2 --rounds 3 --wenhai-members 1,2,4 --wenhai-days 3 --json "$results/ensemble.json" ;;
        quicklook) record quicklook - python3 benchmarks/quicklook.py "$f" "$work/quicklook" --rounds 5 --json "$results/quicklook.json" ;;
        wenhai-import) record wenhai-import - python3 benchmarks/wenhai_import.py "$f" "$work/wenhai-import" --rounds 3 --passes 2 --threads 1 --threads 2 --json "$results/wenhai-import.json" ;;
        wenhai-full) record wenhai-full - python3 benchmarks/wenhai_full.py "$f" "$work/wenhai-full" --days 2 --precision bf16 --precision fp32 --threads 2 --json "$results/wenhai-full.json" ;;
        wenhai-full-15) record wenhai-full-15 - python3 benchmarks/wenhai_full.py "$f" "$work/wenhai-full" --days 15 --precision bf16 --threads 2 --json "$results/wenhai-full-15.json" ;;
        *) echo "unknown suite '$suite' (kernels model io stepper validation speedup scaling forecast serve quicklook wenhai-import wenhai-full wenhai-full-15)" >&2; exit 64 ;;
    esac
done
python3 benchmarks/plot.py --scaling "$results/scaling.json" \
    $( [ -f "$results/scaling-node16.json" ] && echo --scaling-node "$results/scaling-node16.json" ) \
    --speedup "$results/speedup.json" --skill benchmarks/skill/skill.json --out benchmarks/plots
python3 benchmarks/report.py > benchmarks/RESULTS.md
echo "wrote benchmarks/RESULTS.md" >&2
