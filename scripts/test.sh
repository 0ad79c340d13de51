#!/usr/bin/env bash
# The test command: installs what the tests need (build dependencies, cdo, xarray), then runs the whole suite
# in a release build (the kernels as they ship, compiled for this CPU) after every benchmark suite's smoke run, the Slurm integration test (a one-node
# cluster on this machine) and the kernel tests once more in a portable debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh --test
swift build -c release --product forecastd
benchmarks/smoke.sh
swift test -c release
scripts/slurm/integration-test.sh
swift test --filter TensorTests
