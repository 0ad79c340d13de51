#!/usr/bin/env python3
"""What reading the inputs in a child process first (`forecastd probe`) costs, against the forecast's own reading
of the same files, at WenHai scale by default.

The model folder and CMEMS/ERA5-style inputs are made in WORK if absent (tools/reference). Each round runs, in
turn, `forecastd probe` on the init, on the forcing, and on both at once as `run` does (`probes_s`: wall time
until both children have ended), then a one-day `forecastd run` (deflate 0), whose `read_s` covers everything
before the first day: the probes, loading the model and reading the init and the forcing's metadata
in-process. A figure is the median over rounds with min and max; `added` is `probes_s` against the rest of
`read_s` (1.0 would double the reading).

Usage: benchmarks/probe_cost.py FORECASTD WORK [--config wenhai-forecast] [--rounds 3] [--json OUT]
"""
import argparse, os, statistics, subprocess, sys, time

from common import emit

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wall(*commands):
    """Seconds until every command, all started at once, has ended."""
    start = time.perf_counter()
    children = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for c in commands]
    if any(child.wait() != 0 for child in children):
        raise SystemExit(f"failed: {commands}")
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("forecastd")
    parser.add_argument("work")
    parser.add_argument("--config", default="wenhai-forecast")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    model, case = os.path.join(args.work, args.config), os.path.join(args.work, args.config + "-case")
    if not os.path.isdir(model):
        subprocess.run([sys.executable, os.path.join(REPO, "tools/reference/make_models.py"), args.work, "--config", args.config],
                       check=True, stdout=subprocess.DEVNULL)
    if not os.path.exists(os.path.join(case, "forcing.nc")):
        subprocess.run([sys.executable, os.path.join(REPO, "tools/reference/make_forecast_case.py"), model, case], check=True)
    init, forcing, out = (os.path.join(case, name) for name in ("init.nc", "forcing.nc", "probe-cost.nc"))
    rounds = []
    for _ in range(args.rounds):
        probe_init = wall([args.forecastd, "probe", init])
        probe_forcing = wall([args.forecastd, "probe", forcing])
        probes = wall([args.forecastd, "probe", init], [args.forecastd, "probe", forcing])
        done = subprocess.run([args.forecastd, "run", "--model", model, "--init", init, "--forcing", forcing, "--days", "1",
                               "--deflate", "0", "--out", out], check=True, capture_output=True, text=True)
        line = next(l for l in done.stderr.splitlines() if l.startswith("event=done"))
        read = float(dict(item.split("=", 1) for item in line.split() if "=" in item)["read_s"])
        os.remove(out)
        rounds.append({"probe_init_s": probe_init, "probe_forcing_s": probe_forcing, "probes_s": probes, "read_s": read,
                       "added": probes / max(read - probes, 1e-9)})
    entry = {"config": args.config, "rounds": args.rounds, "init_bytes": os.path.getsize(init), "forcing_bytes": os.path.getsize(forcing)}
    for key in rounds[0]:
        values = [r[key] for r in rounds]
        entry[key] = statistics.median(values)
        entry[key + "_min"], entry[key + "_max"] = min(values), max(values)
    emit([entry], args.json)


if __name__ == "__main__":
    main()
