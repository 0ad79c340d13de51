#!/usr/bin/env python3
"""The stepper's validation cases at their full sizes (CI runs them smaller): `forecastd simulate --case NAME --json`
for williamson2 at 4 and 2 degrees, kelvin, rest (30 days), conservation (10 days) and gyre (20 km, 120 days).
Prints one JSON object keyed by run (williamson2_4deg, williamson2_2deg, kelvin, rest, conservation, gyre).

Usage: benchmarks/validation.py FORECASTD [--json OUT]
"""
import argparse, json, subprocess

from common import emit

RUNS = {"williamson2_4deg": ["williamson2", "--resolution-deg", "4"], "williamson2_2deg": ["williamson2", "--resolution-deg", "2"],
        "kelvin": ["kelvin"], "rest": ["rest"], "conservation": ["conservation"], "gyre": ["gyre"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("forecastd")
    parser.add_argument("--json")
    args = parser.parse_args()
    results = {name: json.loads(subprocess.run([args.forecastd, "simulate", "--case"] + case + ["--json"], check=True,
                                               capture_output=True, text=True).stdout) for name, case in RUNS.items()}
    emit(results, args.json)


if __name__ == "__main__":
    main()
