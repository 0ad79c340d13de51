#!/usr/bin/env python3
"""Veros's `acc` setup (idealised Antarctic Circumpolar Current channel, 30 x 42 x 15, numpy backend) timed
over --days simulated days after its set-up, --rounds times; prints JSON: wet cells, time steps, seconds per
run (median, min, max) and wet cell-steps per second. Run with the Python of a virtual environment holding
veros (`benchmarks/run.sh WORK stepper` makes one in WORK/venv-veros).

Usage: veros_acc.py WORK [--days 30] [--rounds 5] [--json OUT]
"""
import argparse, os, shutil, statistics, subprocess, sys, time

from common import emit


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("work")
    parser.add_argument("--days", type=float, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.json:
        args.json = os.path.abspath(args.json)
    folder = os.path.join(args.work, "veros-acc")
    if not os.path.exists(os.path.join(folder, "acc.py")):
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([os.path.join(os.path.dirname(sys.executable), "veros"), "copy-setup", "acc", "--to", folder], check=True)
    os.chdir(folder)
    sys.path.insert(0, folder)
    os.environ["VEROS_FORCE_OVERWRITE"] = "1"   # each round rewrites the setup's diagnostics files
    import numpy as np
    import veros
    import acc

    seconds, wet, steps = [], 0, 0
    for _ in range(args.rounds):
        simulation = acc.ACCSetup(override=dict(runlen=86400 * args.days))
        simulation.setup()
        wet = int(np.asarray(simulation.state.variables.maskT[2:-2, 2:-2, :]).sum())
        start = time.perf_counter()
        simulation.run()
        seconds.append(time.perf_counter() - start)
        steps = int(simulation.state.variables.itt)
    median = statistics.median(seconds)
    emit({"veros": veros.__version__, "backend": "numpy", "wet_cells": wet, "steps": steps, "days": args.days,
          "median_s": median, "min_s": min(seconds), "max_s": max(seconds),
          "cell_steps_per_s": wet * steps / median, "days_per_hour": args.days / median * 3600}, args.json)


if __name__ == "__main__":
    main()
