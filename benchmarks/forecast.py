#!/usr/bin/env python3
"""End-to-end 15-day forecasts, NetCDF in and NetCDF out, split by phase, with peak RSS.

Random-weight model folders (tools/reference/make_models.py --config NAME) and CMEMS/ERA5-style inputs
(tools/reference/make_forecast_case.py) are made in WORK if absent. Each round runs `forecastd run` once per
thread count (interleaved); a figure is the median over rounds with min and max. Phases come from the run's
`event=done` log line: read, fluxes, network, write (the time the forecast waited for its writer thread).

Usage: benchmarks/forecast.py FORECASTD WORK [--config sample-forecast --config wenhai-forecast] [--threads 1,2]
           [--deflate 0] [--rounds 5] [--json OUT]
"""
import argparse, os, statistics, subprocess, sys

from common import emit

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIELDS = ["total_s", "read_s", "fluxes_s", "network_s", "write_s", "peak_rss_mib"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("forecastd")
    parser.add_argument("work")
    parser.add_argument("--config", action="append")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--deflate", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json")
    args = parser.parse_args()
    configs = args.config or ["sample-forecast", "wenhai-forecast"]
    threads = [int(t) for t in args.threads.split(",")]
    results = []
    for config in configs:
        model, case = os.path.join(args.work, config), os.path.join(args.work, config + "-case")
        if not os.path.isdir(model):
            subprocess.run([sys.executable, os.path.join(REPO, "tools/reference/make_models.py"), args.work, "--config", config],
                           check=True, stdout=subprocess.DEVNULL)
        if not os.path.exists(os.path.join(case, "forcing.nc")):
            subprocess.run([sys.executable, os.path.join(REPO, "tools/reference/make_forecast_case.py"), model, case], check=True)
        runs = {t: [] for t in threads}
        out = os.path.join(case, "forecast.nc")
        for _ in range(args.rounds):
            for t in threads:
                done = subprocess.run([args.forecastd, "run", "--model", model, "--init", os.path.join(case, "init.nc"),
                                       "--forcing", os.path.join(case, "forcing.nc"), "--out", out, "--threads", str(t),
                                       "--deflate", str(args.deflate)], check=True, capture_output=True, text=True)
                line = next(l for l in done.stderr.splitlines() if l.startswith("event=done"))
                values = dict(item.split("=", 1) for item in line.split() if "=" in item)
                runs[t].append({k: float(values[k]) for k in FIELDS})
                os.remove(out)
        for t in threads:
            entry = {"config": config, "threads": t, "deflate": args.deflate, "rounds": args.rounds}
            for k in FIELDS:
                values = [r[k] for r in runs[t]]
                entry[k] = statistics.median(values)
                entry[k + "_min"], entry[k + "_max"] = min(values), max(values)
            results.append(entry)
    emit(results, args.json)


if __name__ == "__main__":
    main()
