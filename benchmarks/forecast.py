#!/usr/bin/env python3
"""End-to-end 15-day forecasts, NetCDF in and NetCDF out, split by phase, with peak RSS; and the whole-process
comparison of `forecastd run` against `forecastd simulate` from the same init, forcing and threads.

Forecasts: random-weight model folders (tools/reference/make_models.py --config NAME) and CMEMS/ERA5-style inputs
(tools/reference/make_forecast_case.py) are made in WORK if absent. Each round runs `forecastd run` once per
thread count (interleaved) with forecastd's default options unless --deflate is given; a figure is the median
over rounds with min and max. Phases come from the run's `event=done` log line: read, fluxes, network, write
(the time the forecast waited for its writer thread), and its `event=startup` line: the seconds from exec to the
first day's compute. `wall_s` is the whole process, timed from outside.

--versus-simulate: weights-sample's forecast (`forecastd run`, defaults) against the stepper on the same grid
(`forecastd simulate --config weights-sample/stepper-config.json`, defaults) from the same init and forcing, for
the same days, both whole processes with the same --threads, interleaved; the ratio is simulate's wall time over
run's.

Usage: benchmarks/forecast.py FORECASTD WORK [--config sample-forecast --config wenhai-forecast] [--threads 1,2]
           [--deflate N] [--precision fp32 --precision bf16] [--rounds 5] [--json OUT]
       benchmarks/forecast.py FORECASTD WORK --versus-simulate [--threads 2] [--rounds 5] [--json OUT]
"""
import argparse, os, statistics, subprocess, sys, time

from common import emit

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIELDS = ["wall_s", "first_day_s", "total_s", "read_s", "fluxes_s", "network_s", "write_s", "peak_rss_mib"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("forecastd")
    parser.add_argument("work")
    parser.add_argument("--config", action="append")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--deflate", type=int, help="deflate level (default: forecastd's)")
    parser.add_argument("--precision", action="append", help="the network's precision, repeatable (default: forecastd's)")
    parser.add_argument("--versus-simulate", action="store_true")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    if args.versus_simulate:
        emit(versus_simulate(args.forecastd, args.work, threads, args.rounds), args.json)
        return
    configs = args.config or ["sample-forecast", "wenhai-forecast"]
    results = []
    for config in configs:
        model, case = os.path.join(args.work, config), os.path.join(args.work, config + "-case")
        if not os.path.isdir(model):
            subprocess.run([sys.executable, os.path.join(REPO, "tools/reference/make_models.py"), args.work, "--config", config],
                           check=True, stdout=subprocess.DEVNULL)
        if not os.path.exists(os.path.join(case, "forcing.nc")):
            subprocess.run([sys.executable, os.path.join(REPO, "tools/reference/make_forecast_case.py"), model, case], check=True)
        variants = [(t, p) for p in (args.precision or [None]) for t in threads]
        runs = {v: [] for v in variants}
        out = os.path.join(case, "forecast.nc")
        for _ in range(args.rounds):
            for t, precision in variants:
                options = ([] if args.deflate is None else ["--deflate", str(args.deflate)]) + \
                    ([] if precision is None else ["--precision", precision])
                wall, log = timed([args.forecastd, "run", "--model", model, "--init", os.path.join(case, "init.nc"),
                                   "--forcing", os.path.join(case, "forcing.nc"), "--out", out, "--threads", str(t)] + options)
                runs[(t, precision)].append(dict(phases(log), wall_s=wall))
                os.remove(out)
        for t, precision in variants:
            entry = {"config": config, "threads": t, "deflate": "default" if args.deflate is None else args.deflate,
                     "precision": precision or "default", "rounds": args.rounds}
            for k in FIELDS:
                values = [r[k] for r in runs[(t, precision)]]
                entry[k] = statistics.median(values)
                entry[k + "_min"], entry[k + "_max"] = min(values), max(values)
            results.append(entry)
    emit(results, args.json)


def timed(command, threads=None):
    """Runs `command` to its end (with `threads` as FORECASTD_THREADS, for commands without --threads); returns
    its wall seconds and its stderr."""
    env = dict(os.environ, **({"FORECASTD_THREADS": str(threads)} if threads else {}))
    start = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, done.stderr


def phases(log):
    """The numbers of a run's `event=done` and `event=startup` lines."""
    values = {}
    for line in log.splitlines():
        if line.startswith(("event=done", "event=startup")):
            values.update(item.split("=", 1) for item in line.split()[1:] if "=" in item)
    return {k: float(values[k]) for k in FIELDS if k in values and k != "wall_s"}


def versus_simulate(forecastd, work, threads, rounds):
    """weights-sample: `forecastd run` and `forecastd simulate`, whole processes with default options."""
    os.makedirs(work, exist_ok=True)
    data = os.path.join(REPO, "weights-sample", "data")
    inputs = ["--init", os.path.join(data, "init.nc"), "--forcing", os.path.join(data, "forcing.nc"), "--days", "15"]
    results = []
    for t in threads:
        runs, simulations = [], []
        for _ in range(rounds):
            out = os.path.join(work, "versus-run.nc")
            wall, log = timed([forecastd, "run", "--model", os.path.join(REPO, "weights-sample"), "--out", out,
                               "--threads", str(t)] + inputs)
            runs.append(dict(phases(log), wall_s=wall))
            os.remove(out)
            out = os.path.join(work, "versus-simulate.nc")
            wall, _ = timed([forecastd, "simulate", "--config", os.path.join(REPO, "weights-sample", "stepper-config.json"),
                             "--out", out] + inputs, threads=t)
            simulations.append(wall)
            os.remove(out)
        run_wall, simulate_wall = statistics.median(r["wall_s"] for r in runs), statistics.median(simulations)
        entry = {"config": "weights-sample", "threads": t, "rounds": rounds, "run_wall_s": run_wall,
                 "run_wall_s_min": min(r["wall_s"] for r in runs), "run_wall_s_max": max(r["wall_s"] for r in runs),
                 "simulate_wall_s": simulate_wall, "simulate_wall_s_min": min(simulations),
                 "simulate_wall_s_max": max(simulations), "speedup": simulate_wall / run_wall}
        for k in FIELDS[1:]:
            entry["run_" + k] = statistics.median(r[k] for r in runs if k in r)
        results.append(entry)
    return results


if __name__ == "__main__":
    main()
