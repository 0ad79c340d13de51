#!/usr/bin/env python3
"""Scaling of forecastd: time against threads, time and peak memory against grid size.

Every measurement is a separate `forecastd bench ... --json` process (so that its peak RSS is its own); the
contenders of a round run one after another and rounds repeat (interleaved), and a figure is the median over
rounds with its spread. References, same run: for threads, the 1-thread time of the same work; for grid size, the
smallest grid (the log-log slope says how time and memory grow: 1 = in proportion to the cells).

  threads: the surrogate's forward pass (weights-sample's network on random fields, --surrogate-grid) and the
           stepper (the sample ocean, 2 simulated days) at each of --threads;
  grid:    the surrogate's forward pass on each of --grids at --grid-threads threads: time and peak RSS.

Usage: benchmarks/scaling.py FORECASTD [--threads 1,2] [--grids 128x128,256x256,512x512,1024x1024]
           [--surrogate-grid 512x512] [--grid-threads 2] [--rounds 5] [--json OUT] [--smoke]
"""
import argparse, json, math, os, statistics, subprocess

from common import emit, machine

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def bench(forecastd, arguments):
    out = subprocess.run([forecastd, "bench"] + arguments + ["--json"], check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(out.stdout)


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def slope(xs, ys):
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = statistics.mean(lx), statistics.mean(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("forecastd")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--grids", default="128x128,256x256,512x512,1024x1024")
    parser.add_argument("--surrogate-grid", default="512x512")
    parser.add_argument("--grid-threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one round: proves the suite runs")
    args = parser.parse_args()
    forecastd = os.path.abspath(args.forecastd)
    threads = [int(t) for t in args.threads.split(",")]
    grids = args.grids.split(",")
    surrogate_grid, rounds, passes, days = args.surrogate_grid, args.rounds, "3", "2"
    if args.smoke:
        grids, surrogate_grid, rounds, passes, days = ["64x64", "128x128"], "64x64", 1, "1", "1"
    model = os.path.join(REPO, "weights-sample")
    config = os.path.join(REPO, "training", "sample-ocean.json")
    surrogate = {t: [] for t in threads}
    stepper = {t: [] for t in threads}
    grid_ms = {g: [] for g in grids}
    grid_rss = {g: [] for g in grids}
    for _ in range(rounds):
        for t in threads:
            r = bench(forecastd, ["surrogate", model, "--grid", surrogate_grid, "--threads", str(t), "--repetitions", passes])
            surrogate[t].append(r["medianMilliseconds"])
            s = bench(forecastd, ["stepper", "--config", config, "--days", days, "--threads", str(t), "--repetitions", "1"])
            stepper[t].append(s["results"][0]["median_ms"])
        for g in grids:
            r = bench(forecastd, ["surrogate", model, "--grid", g, "--threads", str(args.grid_threads), "--repetitions", passes])
            grid_ms[g].append(r["medianMilliseconds"])
            grid_rss[g].append(r["peakRSSMebibytes"])
    cells = [int(g.split("x")[0]) * int(g.split("x")[1]) for g in grids]
    result = {
        "machine": machine(),
        "rounds": rounds,
        "threads": {
            "surrogate_grid": surrogate_grid,
            "surrogate_ms": {str(t): summary(v) for t, v in surrogate.items()},
            "surrogate_speedup": {str(t): statistics.median(surrogate[threads[0]]) / statistics.median(v) for t, v in surrogate.items()},
            "stepper_days": int(days),
            "stepper_ms": {str(t): summary(v) for t, v in stepper.items()},
            "stepper_speedup": {str(t): statistics.median(stepper[threads[0]]) / statistics.median(v) for t, v in stepper.items()},
        },
        "grid": {
            "threads": args.grid_threads,
            "sizes": grids,
            "cells": cells,
            "surrogate_ms": {g: summary(v) for g, v in grid_ms.items()},
            "peak_rss_mib": {g: summary(v) for g, v in grid_rss.items()},
            "time_slope": slope(cells, [statistics.median(grid_ms[g]) for g in grids]),
            "rss_slope": slope(cells, [statistics.median(grid_rss[g]) for g in grids]),
        },
    }
    emit(result, args.json)


if __name__ == "__main__":
    main()
