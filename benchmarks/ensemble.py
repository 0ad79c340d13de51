#!/usr/bin/env python3
"""Ensemble forecasts on weights-sample: members per hour against the stepper's forecasts per hour.

Interleaved round by round, whole processes with default options and the same --threads: `forecastd run --members N`
for each N (15 days, gaussian perturbation, a file per member) and `forecastd simulate --config
weights-sample/stepper-config.json` from the same init and forcing (one stepper forecast). Reports, per N, the wall
time, members per hour, the cost of a member against one stepper forecast, and where a member's time goes (network,
fluxes, output, read and start-up, from the run's own event=done line) against a single forecast's.

Usage: ensemble.py FORECASTD WORK [--members 1,8,32,64] [--threads 2] [--rounds 3] [--json OUT]
"""
import argparse
import os
import shutil
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import emit, machine  # noqa: E402
from forecast import REPO, phases, timed  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("forecastd")
    p.add_argument("work")
    p.add_argument("--members", default="1,8,32,64")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json")
    args = p.parse_args()
    sizes = [int(n) for n in args.members.split(",")]
    data = os.path.join(REPO, "weights-sample", "data")
    inputs = ["--init", os.path.join(data, "init.nc"), "--forcing", os.path.join(data, "forcing.nc"), "--days", "15"]
    runs = {n: [] for n in sizes}
    simulations = []
    for _ in range(args.rounds):
        for n in sizes:
            folder = os.path.join(args.work, f"ensemble-{n}")
            os.makedirs(folder, exist_ok=True)
            wall, log = timed([args.forecastd, "run", "--model", os.path.join(REPO, "weights-sample"), "--members", str(n),
                               "--out", os.path.join(folder, "e.nc"), "--threads", str(args.threads)] + inputs)
            runs[n].append(dict(phases(log), wall_s=wall))
            shutil.rmtree(folder)
        out = os.path.join(args.work, "ensemble-stepper.nc")
        wall, _ = timed([args.forecastd, "simulate", "--config", os.path.join(REPO, "weights-sample", "stepper-config.json"),
                         "--out", out] + inputs, threads=args.threads)
        simulations.append(wall)
        os.remove(out)
    stepper = statistics.median(simulations)
    single = {k: statistics.median(r[k] for r in runs[sizes[0]]) for k in runs[sizes[0]][0]} if sizes[0] == 1 else None
    results = []
    for n in sizes:
        median = {k: statistics.median(r[k] for r in runs[n]) for k in runs[n][0]}
        entry = {"members": n, "threads": args.threads, "rounds": args.rounds, "wall_s": median["wall_s"],
                 "wall_s_min": min(r["wall_s"] for r in runs[n]), "wall_s_max": max(r["wall_s"] for r in runs[n]),
                 "members_per_hour": 3600 * n / median["wall_s"], "stepper_forecasts_per_hour": 3600 / stepper,
                 "member_cost_of_stepper": median["wall_s"] / n / stepper,
                 "per_member_s": {k: median[k] / n for k in ("network_s", "fluxes_s", "write_s", "read_s") if k in median}}
        if single:
            entry["network_per_member_of_single"] = median["network_s"] / n / single["network_s"]
        results.append(entry)
    emit({"machine": machine(), "stepper_wall_s": stepper, "stepper_wall_s_min": min(simulations),
          "stepper_wall_s_max": max(simulations), "results": results}, args.json)


if __name__ == "__main__":
    main()
