#!/usr/bin/env bash
# The main job: builds forecastd for this CPU and runs the kernel benchmark (until the forecast exists).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh
swift build -c release --product forecastd
.build/release/forecastd bench kernels "$@"
