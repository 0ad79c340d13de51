#!/usr/bin/env bash
# Runs one `forecastd bench` suite and writes benchmarks/results/SUITE.md: the exact command, the table and,
# for the kernel suite, the JSON of a second run.
# Usage: benchmarks/run.sh kernels [options]   e.g. benchmarks/run.sh kernels --repetitions 9
#        benchmarks/run.sh io [options]        e.g. benchmarks/run.sh io --repetitions 3
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${1:?usage: benchmarks/run.sh SUITE [options]}"
shift
swift build -c release --product forecastd >/dev/null
command=".build/release/forecastd bench $suite $*"
out="benchmarks/results/$suite.md"
{
    echo "# forecastd bench $suite"
    echo
    echo "Command: \`$command\` (from the repository root, after \`swift build -c release\`)."
    echo
    echo '```'
    $command
    echo '```'
    if [ "$suite" = kernels ]; then
        echo
        echo "JSON of a second run (\`$command --json\`):"
        echo
        echo '```json'
        $command --json
        echo '```'
    fi
} > "$out"
echo "wrote $out"
