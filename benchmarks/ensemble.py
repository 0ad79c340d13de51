#!/usr/bin/env python3
"""Ensemble forecasts on weights-sample: members per hour against the stepper's forecasts per hour.

Interleaved round by round, whole processes with default options and the same --threads: `forecastd run --members N`
for each N (15 days, gaussian perturbation, a file per member) and `forecastd simulate --config
weights-sample/stepper-config.json` from the same init and forcing (one stepper forecast). Reports, per N, the wall
time, members per hour, the cost of a member against one stepper forecast, and where a member's time goes (network,
fluxes, output, read and start-up, from the run's own event=done line) against a single forecast's.

With --wenhai-members, also a WenHai-scale network (benchmarks/forecast.py's wenhai-forecast: 720 x 1440, 93 + 8
channels, made once in WORK) for --wenhai-days days with those member counts, interleaved (no stepper there: its
figures are members per hour and the network's time per member against a single forecast's).

Usage: ensemble.py FORECASTD WORK [--members 1,8,32,64] [--threads 2] [--rounds 3] [--wenhai-members 1,2,4]
       [--wenhai-days 3] [--json OUT]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import emit, machine  # noqa: E402
from forecast import REPO, phases, timed  # noqa: E402


def members_runs(forecastd, model, case_inputs, sizes, rounds, threads, work):
    """`forecastd run --members N` for each N, interleaved over rounds: each run's phases and wall time per N."""
    runs = {n: [] for n in sizes}
    for _ in range(rounds):
        for n in sizes:
            folder = os.path.join(work, f"ensemble-{n}")
            os.makedirs(folder, exist_ok=True)
            wall, log = timed([forecastd, "run", "--model", model, "--members", str(n), "--out", os.path.join(folder, "e.nc"),
                               "--threads", str(threads)] + case_inputs)
            runs[n].append(dict(phases(log), wall_s=wall))
            shutil.rmtree(folder)
    return runs


def summarise(runs, threads):
    """Medians per member count; the network's time per member against the first count's."""
    sizes = list(runs)
    first = statistics.median(r["network_s"] for r in runs[sizes[0]]) / sizes[0]
    results = []
    for n in sizes:
        median = {k: statistics.median(r[k] for r in runs[n]) for k in runs[n][0]}
        results.append({"members": n, "threads": threads, "rounds": len(runs[n]), "wall_s": median["wall_s"],
                        "wall_s_min": min(r["wall_s"] for r in runs[n]), "wall_s_max": max(r["wall_s"] for r in runs[n]),
                        "members_per_hour": 3600 * n / median["wall_s"], "peak_rss_mib": median.get("peak_rss_mib"),
                        "per_member_s": {k: median[k] / n for k in ("network_s", "fluxes_s", "write_s", "read_s") if k in median},
                        "network_per_member_of_single": median["network_s"] / n / first})
    return results


def wenhai(forecastd, work, sizes, days, rounds, threads):
    """The ensemble runs on benchmarks/forecast.py's WenHai-scale model and case."""
    model, case = os.path.join(work, "wenhai-forecast"), os.path.join(work, "wenhai-forecast-case")
    if not os.path.isdir(model):
        subprocess.run([sys.executable, os.path.join(REPO, "tools/reference/make_models.py"), work, "--config", "wenhai-forecast"],
                       check=True, stdout=subprocess.DEVNULL)
    if not os.path.exists(os.path.join(case, "forcing.nc")):
        subprocess.run([sys.executable, os.path.join(REPO, "tools/reference/make_forecast_case.py"), model, case], check=True)
    inputs = ["--init", os.path.join(case, "init.nc"), "--forcing", os.path.join(case, "forcing.nc"), "--days", str(days)]
    return {"grid": "720x1440", "days": days, "results": summarise(members_runs(forecastd, model, inputs, sizes, rounds, threads, work), threads)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("forecastd")
    p.add_argument("work")
    p.add_argument("--members", default="1,8,32,64")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--wenhai-members")
    p.add_argument("--wenhai-days", type=int, default=3)
    p.add_argument("--json")
    args = p.parse_args()
    sizes = [int(n) for n in args.members.split(",")]
    data = os.path.join(REPO, "weights-sample", "data")
    inputs = ["--init", os.path.join(data, "init.nc"), "--forcing", os.path.join(data, "forcing.nc"), "--days", "15"]
    runs = {n: [] for n in sizes}
    simulations = []
    for _ in range(args.rounds):
        for n, measured in members_runs(args.forecastd, os.path.join(REPO, "weights-sample"), inputs, sizes, 1,
                                        args.threads, args.work).items():
            runs[n] += measured
        out = os.path.join(args.work, "ensemble-stepper.nc")
        wall, _ = timed([args.forecastd, "simulate", "--config", os.path.join(REPO, "weights-sample", "stepper-config.json"),
                         "--out", out] + inputs, threads=args.threads)
        simulations.append(wall)
        os.remove(out)
    stepper = statistics.median(simulations)
    results = summarise(runs, args.threads)
    for entry in results:
        entry["stepper_forecasts_per_hour"] = 3600 / stepper
        entry["member_cost_of_stepper"] = entry["wall_s"] / entry["members"] / stepper
    extra = {"wenhai": wenhai(args.forecastd, args.work, [int(n) for n in args.wenhai_members.split(",")], args.wenhai_days,
                              args.rounds, args.threads)} if args.wenhai_members else {}
    emit({"machine": machine(), "stepper_wall_s": stepper, "stepper_wall_s_min": min(simulations),
          "stepper_wall_s_max": max(simulations), "results": results, **extra}, args.json)


if __name__ == "__main__":
    main()
