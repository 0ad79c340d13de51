#!/usr/bin/env python3
"""Probabilistic skill of an ensemble on the held-out starts, scored by `forecastd verify` itself.

The starts, inits and forcing are evaluate.py's (the held-out year's states, evenly spread; the synthetic atmosphere
`forecastd atmosphere` makes for the next days); the truth is the held-out year's next 15 daily states. For each
start: the deterministic forecast and an ensemble (`forecastd run --members N --perturbation KIND ...` with every
extra option given after `--`), both verified against the truth with `forecastd verify --ensemble --json`. Over the
starts, per variable and lead day at the surface: the RMSE of the deterministic forecast and of the ensemble mean
(root of the mean square over starts), the spread (root of the mean variance), their ratio with the finite-ensemble
correction verify applies, and the CRPS (mean over starts). Writes OUT/ensemble.json and OUT/ENSEMBLE.md.

Usage: evaluate_ensemble.py --data DIR --model DIR --config C --year 2004 --out DIR [--starts 12] [--members 32]
                            [--forecastd BIN] [-- RUN-OPTIONS...]
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import xarray as xr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evaluate import LEADS, held_out_arguments, portable_arguments, run  # noqa: E402

SURFACE = ("thetao", "so", "uo", "vo", "zos")


def arguments():
    p = held_out_arguments(__doc__, starts=12)
    p.add_argument("--members", type=int, default=32)
    p.add_argument("run_options", nargs="*", help="options for the ensemble's `forecastd run`, after --")
    return p.parse_args()


def verify(args, work):
    """verify's JSON report of the deterministic forecast and the ensemble against the truth, surface only."""
    result = subprocess.run([args.forecastd, "verify", "--truth", os.path.join(work, "truth.nc"), "--init", os.path.join(work, "init.nc"),
                             "det=" + os.path.join(work, "det.nc"), "--ensemble", "ens=" + os.path.join(work, "ens.nc"),
                             "--leads", ",".join(str(d) for d in range(1, LEADS + 1)), "--json"],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def surface(rows, variable):
    """The rows of `variable` at its shallowest depth (zos has none)."""
    rows = [r for r in rows if r["variable"] == variable]
    top = min((r["depth"] for r in rows if r.get("depth") is not None), default=None)
    return [r for r in rows if r.get("depth") == top]


def main():
    args = arguments()
    os.makedirs(args.out, exist_ok=True)
    sums = {v: {k: np.zeros(LEADS) for k in ("det", "mean", "variance", "crps", "persistence")} for v in SURFACE}
    members = args.members
    with xr.open_dataset(os.path.join(args.data, f"ocean-{args.year}.nc")) as ocean:
        times = ocean["time"].values
        starts = np.linspace(5, len(times) - LEADS - 1, args.starts).astype(int)
        with tempfile.TemporaryDirectory() as work:
            for i in starts:
                start = str(times[i])[:10]
                ocean.isel(time=[int(i)]).to_netcdf(os.path.join(work, "init.nc"))
                ocean.isel(time=slice(int(i) + 1, int(i) + 1 + LEADS)).to_netcdf(os.path.join(work, "truth.nc"))
                forcing = os.path.join(work, "forcing.nc")
                run([args.forecastd, "atmosphere", "--config", args.config, "--start", start, "--days", str(LEADS), "--out", forcing])
                common = ["run", "--model", args.model, "--init", os.path.join(work, "init.nc"), "--forcing", forcing,
                          "--days", str(LEADS), "--deflate", "0"]
                run([args.forecastd] + common + ["--out", os.path.join(work, "det.nc")])
                run([args.forecastd] + common + ["--out", os.path.join(work, "ens.nc"), "--members", str(members)] + args.run_options)
                report = verify(args, work)
                for name in os.listdir(work):
                    if name.startswith(("det", "ens")):
                        os.remove(os.path.join(work, name))
                for v in SURFACE:
                    for r in surface(report["scores"], v):
                        key = {"det": "det", "persistence": "persistence"}.get(r["system"])
                        if key:
                            sums[v][key][r["lead"] - 1] += r["rmse"] ** 2
                    for r in surface(report["ensembleScores"], v):
                        sums[v]["mean"][r["lead"] - 1] += r["meanRMSE"] ** 2
                        sums[v]["variance"][r["lead"] - 1] += r["spread"] ** 2
                        sums[v]["crps"][r["lead"] - 1] += r["crps"]
                print(f"start {start} done", flush=True)
    n = len(starts)
    correction = np.sqrt((members + 1) / members)
    result = {v: {"det_rmse": np.sqrt(s["det"] / n).tolist(), "mean_rmse": np.sqrt(s["mean"] / n).tolist(),
                  "persistence_rmse": np.sqrt(s["persistence"] / n).tolist(), "spread": np.sqrt(s["variance"] / n).tolist(),
                  "spread_skill": (correction * np.sqrt(s["variance"] / s["mean"])).tolist(), "crps": (s["crps"] / n).tolist()}
              for v, s in sums.items()}
    command = "python3 training/evaluate_ensemble.py " + " ".join(portable_arguments(sys.argv[1:]))
    report = {"command": command, "model": os.path.basename(os.path.normpath(args.model)), "year": args.year, "members": members,
              "run_options": args.run_options, "starts": [str(times[i])[:10] for i in starts], "surface": result}
    with open(os.path.join(args.out, "ensemble.json"), "w") as f:
        json.dump(report, f, indent=1)
    write_markdown(args.out, report)


def write_markdown(out, report):
    lines = ["# Ensemble skill on the held-out starts", "",
             f"Command: `{report['command']}`. {len(report['starts'])} starts of {report['year']} "
             f"({', '.join(report['starts'])}); {report['members']} members, `forecastd run` options "
             f"`{' '.join(report['run_options']) or '(defaults)'}`; scores by `forecastd verify --ensemble` at the surface "
             "(cos-latitude weighted): RMSE as the root of the mean square over starts, spread as the root of the mean "
             "variance, spread-skill with the finite-ensemble correction, CRPS the mean over starts.", ""]
    for v, r in report["surface"].items():
        lines += [f"## {v}", "", "| lead | deterministic RMSE | ensemble-mean RMSE | mean / deterministic | persistence RMSE | spread | spread-skill | CRPS |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for lead in range(LEADS):
            lines.append(f"| {lead + 1} | {r['det_rmse'][lead]:.4g} | {r['mean_rmse'][lead]:.4g} | "
                         f"{r['mean_rmse'][lead] / r['det_rmse'][lead]:.3f} | {r['persistence_rmse'][lead]:.4g} | "
                         f"{r['spread'][lead]:.4g} | {r['spread_skill'][lead]:.2f} | {r['crps'][lead]:.4g} |")
        lines.append("")
    with open(os.path.join(out, "ENSEMBLE.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
