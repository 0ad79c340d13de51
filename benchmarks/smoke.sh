#!/usr/bin/env bash
# Proves every benchmark suite runs, at tiny sizes with one round: it measures nothing worth quoting. CI runs
# it after the build (scripts/test.sh); each suite's output is checked for the figures it must print.
# Usage: benchmarks/smoke.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
f=.build/release/forecastd
expect() {   # expect NAME PATTERN OUTPUT: fail unless OUTPUT contains PATTERN
    grep -q -- "$2" <<<"$3" || { echo "benchmark smoke: $1 did not print '$2':"; echo "$3"; exit 1; }
    echo "benchmark smoke: $1 ok"
}
expect kernels '"suite" : "kernels"' "$($f bench kernels --smoke --json)"
expect io '"suite" : "io"' "$($f bench io --smoke --folder "$work" --json)"
expect surrogate '"gflops"' "$($f bench surrogate weights-sample --repetitions 1 --json)"
expect stepper '"suite" : "stepper"' "$($f bench stepper --smoke --folder "$work" --json)"
expect speedup '"surrogate_forecast"' "$($f bench speedup --smoke --folder "$work" --json)"
expect scaling '"time_slope"' "$(python3 benchmarks/scaling.py "$f" --smoke)"
expect model-vs-onnxruntime '"speedup"' "$(python3 tools/bench_surrogate.py "$f" "$work/surrogate" --config sample --rounds 1 --passes 1)"
expect serve '"jobs_lost": 0' "$(python3 benchmarks/serve.py "$f" "$work" --rounds 1 --seconds 1 --jobs 1)"
expect wenhai-import '_over_onnxruntime_float16' "$(python3 benchmarks/wenhai_import.py "$f" "$work/wenhai-import" --config one-stage --rounds 1 --passes 1 --threads 1)"
expect probe-cost '"added"' "$(python3 benchmarks/probe_cost.py "$f" "$work" --config sample-forecast --rounds 1)"
