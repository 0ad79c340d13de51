#!/usr/bin/env python3
"""WenHai at its published size: a model folder with the hyperparameters the authors' launch scripts suggest (dim
768, patch 8, window 7, 12 heads, 12 blocks; random weights) on GLORYS's 1/12-degree grid (2041 x 4320, 23 levels,
93 + 8 channels), forecast with `forecastd run` from a CMEMS-style init and ERA5-style forcing of that size
(tools/reference/make_models.py --config wenhai-full, tools/reference/make_forecast_case.py), whole processes
with default options but the precision.

Reports, per precision: seconds per forecast day (each day's network, fluxes, read and write from the run's own
log), the start-up, the whole process, peak memory (the run's own peak RSS), and the output's bytes per day; with the
FLOPs per step from `forecastd model-info`. The reference in the same run is the network's own time: the whole
process over the network's.

Usage: wenhai_full.py FORECASTD WORK [--days 2] [--precision bf16 --precision fp32] [--threads 2] [--json OUT]"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import emit, machine  # noqa: E402

REFERENCE = os.path.join(HERE, "..", "tools", "reference")


def prepare(work, days):
    model, case = os.path.join(work, "wenhai-full"), os.path.join(work, f"case-{days}d")
    if not os.path.exists(os.path.join(model, "model.safetensors")):
        subprocess.run([sys.executable, os.path.join(REFERENCE, "make_models.py"), work, "--config", "wenhai-full"], check=True)
    if not os.path.exists(os.path.join(case, "forcing.nc")):
        subprocess.run([sys.executable, os.path.join(REFERENCE, "make_forecast_case.py"), model, case, "--days", str(days)],
                       check=True)
    return model, case


def log_values(text, event):
    """key=value pairs of every `event=EVENT` line of a run's log."""
    rows = []
    for line in text.splitlines():
        if line.startswith(f"event={event} "):
            rows.append(dict(re.findall(r"(\w+)=([^\s\"]+)", line)))
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("forecastd")
    p.add_argument("work")
    p.add_argument("--days", type=int, default=2)
    p.add_argument("--precision", action="append")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json")
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    model, case = prepare(args.work, args.days)
    info = json.loads(subprocess.run([args.forecastd, "model-info", model, "--no-measure", "--json"], check=True,
                                     capture_output=True, text=True).stdout)
    # The model folder as a reader makes it, not this machine's path.
    info["folder"] = "python3 tools/reference/make_models.py WORK --config wenhai-full"
    runs = []
    for precision in args.precision or ["bf16", "fp32"]:
        out = os.path.join(args.work, f"forecast-{precision}.nc")
        start = time.perf_counter()
        result = subprocess.run([args.forecastd, "run", "--model", model, "--init", os.path.join(case, "init.nc"),
                                 "--forcing", os.path.join(case, "forcing.nc"), "--days", str(args.days), "--precision",
                                 precision, "--threads", str(args.threads), "--out", out], capture_output=True, text=True)
        wall = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(f"forecastd run --precision {precision} failed ({result.returncode}): {result.stderr[-2000:]}")
        days = log_values(result.stderr, "day")
        done = log_values(result.stderr, "done")[0]
        startup = log_values(result.stderr, "startup")[0]
        runs.append({"precision": precision, "days": args.days, "wall_s": wall,
                     "startup_s": float(startup["first_day_s"]), "peak_rss_gib": float(done["peak_rss_mib"]) / 1024,
                     "day_s": [sum(float(d[k]) for k in ("read_s", "fluxes_s", "network_s", "write_s")) for d in days],
                     "network_s": [float(d["network_s"]) for d in days],
                     "output_bytes_per_day": os.path.getsize(out) / args.days,
                     "wall_over_network": wall / sum(float(d["network_s"]) for d in days)})
        os.remove(out)
    emit({"machine": machine(), "grid": "2041x4320", "threads": args.threads, "model": info, "runs": runs}, args.json)


if __name__ == "__main__":
    main()
