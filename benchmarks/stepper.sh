#!/usr/bin/env bash
# The stepper's speed: `forecastd bench stepper` (wet cell-steps/s and simulated days per wall hour on the
# sample domain, 1 and 2 threads, interleaved, against the 1-thread rate) and, side by side, Veros's `acc`
# setup on its numpy backend (installed into WORK/venv-veros from PyPI), both on this machine in one run.
# Writes benchmarks/results/stepper.md.
# Usage: benchmarks/stepper.sh WORK_DIR [--days 5] [--repetitions 5]   (options go to forecastd bench stepper)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:?usage: benchmarks/stepper.sh WORK_DIR [options]}"
shift
mkdir -p "$work"
swift build -c release --product forecastd >/dev/null
[ -x "$work/venv-veros/bin/python" ] || { python3 -m venv "$work/venv-veros" && "$work/venv-veros/bin/pip" install -q veros==1.7.0; }
command=".build/release/forecastd bench stepper $*"
forecastd_json="$($command --json)"
veros_command="$work/venv-veros/bin/python benchmarks/veros_acc.py $work --days 30 --rounds 5"
veros_json="$($veros_command 2>/dev/null | grep '^{"veros"')"
python3 - "$command" "$veros_command" "$forecastd_json" "$veros_json" > benchmarks/results/stepper.md <<'PY'
import json, sys
command, veros_command, ours, veros = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
print(f"# The stepper's speed ({ours['date'][:10]})\n")
print(f"Commands: `{command}` and `{veros_command}` (benchmarks/stepper.sh). Machine: {ours['machine']}.\n")
print("| model | domain | threads | median s per run (min-max) | Mcell-steps/s | vs 1 thread | simulated days per wall hour |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for r in ours["results"]:
    print(f"| forecastd stepper, Float32 | sample ocean, {r['size']} | {r['threads']} | {r['median_ms']/1e3:.3f} ({r['min_ms']/1e3:.3f}-{r['max_ms']/1e3:.3f}) "
          f"| {r['rate']:.1f} | {r['ratio']:.2f}x | {r['note'].split()[0]} |")
print(f"| Veros {veros['veros']} `acc`, numpy backend, Float64 | 30 x 42 x 15 channel, {veros['wet_cells']} wet cells, {veros['steps']} steps "
      f"| 1 | {veros['median_s']:.3f} ({veros['min_s']:.3f}-{veros['max_s']:.3f}) | {veros['cell_steps_per_s']/1e6:.2f} | - | {veros['days_per_hour']:.0f} |")
print(f"\nMedians of {ours['repetitions']} interleaved rounds (forecastd, after a warm-up round) and of 5 runs (Veros, after set-up).")
PY
echo "wrote benchmarks/results/stepper.md"
