#!/usr/bin/env bash
# Runs `forecastd bench kernels` at the default thread count and writes benchmarks/results/kernels.md (the
# table, the exact command, the JSON). Usage: benchmarks/run-kernels.sh [repetitions]
set -euo pipefail
cd "$(dirname "$0")/.."
repetitions="${1:-9}"
swift build -c release --product forecastd >/dev/null
command=".build/release/forecastd bench kernels --repetitions $repetitions"
out=benchmarks/results/kernels.md
{
    echo "# Kernel benchmark"
    echo
    echo "Command: \`$command\` (from the repository root, after \`swift build -c release\`)."
    echo
    echo '```'
    $command
    echo '```'
    echo
    echo "JSON of a second run (\`$command --json\`):"
    echo
    echo '```json'
    $command --json
    echo '```'
} > "$out"
echo "wrote $out"
