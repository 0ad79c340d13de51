#!/usr/bin/env python3
"""Skill report of a model folder on held-out stepper years, with forecasts made by forecastd itself.

For each start date (evenly spread over the held-out year): the init is that day's state, the forcing the
synthetic atmosphere of the next 60 days (forecastd atmosphere), the forecast `forecastd run` for 60 days.
RMSE (cos-latitude weighted, ocean cells) per variable, depth and lead day 1-15 for the surrogate, persistence
(the init) and climatology (the training years' mean for the day of year, 15-day window), and with --stepper-config
the stepper's own 15-day forecast from the same init and forcing (the stand-in for an operational numerical
forecast); stability at 15, 30 and 60 days against the largest surface speed of the held-out year's truth. Writes OUT/skill.json, OUT/SKILL.md and PNG plots (RMSE against lead; maps of forecast and truth at days
1, 5, 10 and 15 for SST, SSH and surface speed). The forecasts compute in fp32; with --precision-drift bf16, each
start is also forecast in bf16 and the report sets RMSE(bf16 - fp32) beside RMSE(fp32 - truth) per variable, depth
and lead day, and lists any surrogate-vs-persistence verdict that bf16 changes.

Usage: evaluate.py --data DIR --model DIR --config C --year 2004 --train-years 2001 2002 2003 --out DIR [--starts 14]
                   [--precision-drift bf16] [--stepper-config C]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import xarray as xr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as ocean_data  # noqa: E402

LEADS = 15
NAMES = {"thetao": "temperature (degC)", "so": "salinity (1e-3)", "uo": "eastward current (m/s)",
         "vo": "northward current (m/s)", "zos": "sea surface height (m)"}


def portable_arguments(argv):
    """The command line as a reader can repeat it: an absolute path stands as its option's name (DATA, MODEL)."""
    shown = []
    for i, word in enumerate(argv):
        if os.path.isabs(word) and i > 0 and argv[i - 1].startswith("--"):
            word = argv[i - 1][2:].upper()
        shown.append(word)
    return shown


def held_out_arguments(description, starts):
    """A parser with the options every evaluation of the held-out year takes."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ("--data", "--model", "--config", "--out"):
        p.add_argument(name, required=True)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--starts", type=int, default=starts)
    p.add_argument("--forecastd", default=".build/release/forecastd")
    return p


def arguments():
    p = held_out_arguments(__doc__, starts=14)
    p.add_argument("--train-years", type=int, nargs="+", required=True)
    p.add_argument("--stability-days", type=int, default=60)
    p.add_argument("--stepper-config", help="also forecast each start with `forecastd simulate` on this configuration "
                   "(the numerical forecast from the same init and forcing) and report its skill beside the surrogate's")
    p.add_argument("--precision-drift", choices=["bf16"], help="also forecast in this precision and report its drift from fp32")
    return p.parse_args()


def rmse(a, b, weight):
    """Cos-latitude weighted RMSE over ocean cells per level: a, b [..., L, H, W] -> [L]."""
    d = (a - b) ** 2
    w = np.where(np.isfinite(d), weight, 0)
    return np.sqrt(np.nansum(np.where(np.isfinite(d), d, 0) * w, axis=(-2, -1)) / np.maximum(w.sum(axis=(-2, -1)), 1e-30))


def climatology(folder, years, levels):
    """Daily climatology [366, S, H, W] of the training years: each day of year the mean over a 15-day window."""
    total, count = None, np.zeros(366)
    for year in years:
        state, time, *_ = ocean_data.read_state(os.path.join(folder, f"ocean-{year}.nc"))
        doy = (time.astype("datetime64[D]") - time.astype("datetime64[Y]")).astype(int)
        if total is None:
            total = np.zeros((366,) + state.shape[1:], np.float64)
        for k, d in enumerate(doy):
            for shift in range(-7, 8):
                total[(d + shift) % 366] += state[k]
                count[(d + shift) % 366] += 1
    return (total / count[:, None, None, None]).astype(np.float32)


def run(command):
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    args = arguments()
    os.makedirs(args.out, exist_ok=True)
    state, time, lat, lon, depth = ocean_data.read_state(os.path.join(args.data, f"ocean-{args.year}.nc"))
    L = len(depth)
    weight = np.cos(np.deg2rad(lat))[:, None] * np.ones((1, len(lon)))
    clim = climatology(args.data, args.train_years, L)
    starts = np.linspace(5, len(time) - LEADS - 1, args.starts).astype(int)
    kinds = ("surrogate", "persistence", "climatology") + (("stepper",) if args.stepper_config else ()) \
        + (("surrogate-bf16", "bf16-fp32") if args.precision_drift else ())
    scores = {kind: {v: np.zeros((LEADS, L if v != "zos" else 1)) for v in NAMES} for kind in kinds}
    stability, maps = [], None
    with tempfile.TemporaryDirectory() as work:
        for n, i in enumerate(starts):
            start = str(time[i])[:10]
            init, forcing, forecast = (os.path.join(work, f) for f in ("init.nc", "forcing.nc", "forecast.nc"))
            with xr.open_dataset(os.path.join(args.data, f"ocean-{args.year}.nc")) as d:
                d.isel(time=[int(i)]).to_netcdf(init)
            run([args.forecastd, "atmosphere", "--config", args.config, "--start", start, "--days", str(args.stability_days), "--out", forcing])
            run([args.forecastd, "run", "--model", args.model, "--init", init, "--forcing", forcing,
                 "--days", str(args.stability_days), "--out", forecast, "--precision", "fp32"])
            predicted = read_forecast(forecast)
            truth = state[i + 1:i + 1 + LEADS]
            doy = [int((t.astype("datetime64[D]") - t.astype("datetime64[Y]")).astype(int)) for t in time[i + 1:i + 1 + LEADS]]
            guesses = {"surrogate": predicted[:LEADS], "persistence": np.repeat(state[i:i + 1], LEADS, axis=0),
                       "climatology": np.where(np.isfinite(truth), clim[doy], np.nan)}
            if args.stepper_config:
                stepper = os.path.join(work, "stepper.nc")
                run([args.forecastd, "simulate", "--config", args.stepper_config, "--init", init, "--forcing", forcing,
                     "--days", str(LEADS), "--out", stepper])
                guesses["stepper"] = np.where(np.isfinite(truth), read_forecast(stepper), np.nan)
            references = {kind: truth for kind in guesses}
            if args.precision_drift:
                run([args.forecastd, "run", "--model", args.model, "--init", init, "--forcing", forcing,
                     "--days", str(LEADS), "--out", forecast, "--precision", args.precision_drift])
                guesses["surrogate-bf16"] = guesses["bf16-fp32"] = read_forecast(forecast)
                references.update({"surrogate-bf16": truth, "bf16-fp32": predicted[:LEADS]})
            for kind, guess in guesses.items():
                g, t = ocean_data.split(guess, L), ocean_data.split(references[kind], L)
                for v in NAMES:
                    for lead in range(LEADS):
                        scores[kind][v][lead] += rmse(g[v][lead], t[v][lead], weight) ** 2 / len(starts)
            t = ocean_data.split(truth, L)
            record = {"start": start}
            for day in (15, 30, 60):
                if day <= len(predicted):
                    s = ocean_data.split(predicted[day - 1], L)
                    speed = np.sqrt(s["uo"][0] ** 2 + s["vo"][0] ** 2)
                    ocean = np.isfinite(state[i])
                    record[f"day{day}"] = {"finite": bool(np.all(np.isfinite(predicted[day - 1][ocean]))),
                                           "max_surface_speed": float(np.nanmax(speed)),
                                           "sst_range": [float(np.nanmin(s["thetao"][0])), float(np.nanmax(s["thetao"][0]))],
                                           "zos_range": [float(np.nanmin(s["zos"][0])), float(np.nanmax(s["zos"][0]))]}
            stability.append(record)
            if n == len(starts) // 2:
                maps = (start, ocean_data.split(predicted[:LEADS], L), t)
            print(f"start {start} done", flush=True)
    result = {kind: {v: np.sqrt(s).tolist() for v, s in per.items()} for kind, per in scores.items()}
    surface = ocean_data.split(state, L)
    truth_speed = float(np.nanmax(np.sqrt(surface["uo"][:, 0] ** 2 + surface["vo"][:, 0] ** 2)))
    report = {"model": args.model, "year": args.year, "train_years": args.train_years, "starts": [str(time[i])[:10] for i in starts],
              "depths": depth.tolist(), "rmse": result, "stability": stability, "truth_max_surface_speed": truth_speed}
    with open(os.path.join(args.out, "skill.json"), "w") as f:
        json.dump(report, f, indent=1)
    write_markdown(args, report, L)
    plot(args.out, report, depth, maps, lat, lon)


def read_forecast(path):
    """A forecast file's state [T, S, H, W] in the stepper's channel order."""
    with xr.open_dataset(path) as f:
        return np.concatenate([f[v].values for v in ocean_data.VARIABLES] + [f["zos"].values[:, None]], axis=1)


def beats(report, v, level=0, kind="surrogate"):
    s, p = report["rmse"][kind][v], report["rmse"]["persistence"][v]
    return [lead + 1 for lead in range(LEADS) if not s[lead][level] < p[lead][level]]


def drift_markdown(report):
    """The bf16 section: per variable and lead, the largest ratio over depths of RMSE(bf16 - fp32) to
    RMSE(fp32 - truth), and every verdict against persistence that bf16 changes."""
    r, lines = report["rmse"], ["\n## bf16 against fp32: precision drift\n"]
    lines.append("Each start forecast again with `--precision bf16`. Cells: RMSE(bf16 - fp32) / RMSE(fp32 - truth) at the depth "
                 "where that ratio is largest (all depths; surface for zos). Requirement: at most 10% at every lead.\n")
    lines.append("| lead | " + " | ".join(NAMES) + " |")
    lines.append("|---|" + "---|" * len(NAMES))
    worst = 0.0
    for lead in range(LEADS):
        cells = []
        for v in NAMES:
            ratios = [d / e for d, e in zip(r["bf16-fp32"][v][lead], r["surrogate"][v][lead])]
            k = int(np.argmax(ratios))
            worst = max(worst, ratios[k])
            cells.append(f"{r['bf16-fp32'][v][lead][k]:.3g} / {r['surrogate'][v][lead][k]:.3g} = {100 * ratios[k]:.2f}%")
        lines.append(f"| {lead + 1} | " + " | ".join(cells) + " |")
    changed = [f"{v} level {k} lead {lead + 1}" for v in NAMES for k in range(len(r["surrogate"][v][0])) for lead in range(LEADS)
               if (r["surrogate"][v][lead][k] < r["persistence"][v][lead][k]) != (r["surrogate-bf16"][v][lead][k] < r["persistence"][v][lead][k])]
    lines.append(f"\nLargest ratio: {100 * worst:.2f}% ({'within' if worst <= 0.10 else 'BEYOND'} the 10% bound). "
                 + ("No surrogate-vs-persistence verdict changes (every variable, depth and lead)." if not changed
                    else f"Verdicts against persistence that bf16 changes: {', '.join(changed)}."))
    return lines


def write_markdown(args, report, L):
    r, lines = report["rmse"], []
    lines.append(f"# Skill of `{os.path.basename(os.path.normpath(args.model))}` on the held-out year {args.year}\n")
    lines.append(f"{len(report['starts'])} start dates ({', '.join(report['starts'])}); forecasts by `forecastd run`; "
                 f"truth: the stepper's daily means; training years {', '.join(map(str, args.train_years))}.\n")
    lines.append("Command: `python3 training/evaluate.py " + " ".join(portable_arguments(sys.argv[1:])) + "`\n")
    columns = ["surrogate"] + (["stepper"] if "stepper" in r else []) + ["persistence", "climatology"]
    lines.append("## Surface RMSE (cos-latitude weighted) by lead day: " + " / ".join(columns) + "\n")
    if "stepper" in r:
        lines.append("The stepper column is `forecastd simulate` from the same init (a daily mean) and forcing: the numerical "
                     "forecast, our stand-in for the operational one. The truth is the continuous run it restarts from.\n")
    lines.append("| lead | " + " | ".join(f"{v} surface" if v != "zos" else "zos" for v in NAMES) + " |")
    lines.append("|---|" + "---|" * len(NAMES))
    for lead in range(LEADS):
        cells = [" / ".join(f"{r[kind][v][lead][0]:.4g}" for kind in columns) for v in NAMES]
        lines.append(f"| {lead + 1} | " + " | ".join(cells) + " |")
    if "stepper" in r:
        lines.append("\n## Against the stepper's forecast at lead day 5 (surface)\n")
        for v in NAMES:
            ratio = r["surrogate"][v][4][0] / r["stepper"][v][4][0]
            lines.append(f"- {v}: surrogate {r['surrogate'][v][4][0]:.4g}, stepper {r['stepper'][v][4][0]:.4g}: "
                         f"{ratio:.2f}x the stepper's RMSE")
    lines.append("\n## Where the surrogate does not beat persistence (surface; zos)\n")
    for v in NAMES:
        worse = beats(report, v)
        lines.append(f"- {v}: " + ("beats persistence at every lead day 1-15" if not worse else f"not better at lead days {worse}"))
    lines.append("\n## RMSE by depth at lead days 1, 5, 10, 15 (surrogate / persistence)\n")
    lines.append("| variable | depth (m) | day 1 | day 5 | day 10 | day 15 |")
    lines.append("|---|---|---|---|---|---|")
    for v in ("thetao", "so", "uo", "vo"):
        for k, z in enumerate(report["depths"]):
            cells = [f"{r['surrogate'][v][d - 1][k]:.3g} / {r['persistence'][v][d - 1][k]:.3g}" for d in (1, 5, 10, 15)]
            lines.append(f"| {v} | {z:g} | " + " | ".join(cells) + " |")
    if "bf16-fp32" in r:
        lines += drift_markdown(report)
    lines.append(f"\n## Stability (every start)\n\nThe truth's largest surface speed in {args.year}: "
                 f"{report['truth_max_surface_speed']:.2f} m/s. Over it at day 60 on "
                 f"{sum(1 for s in report['stability'] if s.get('day60', {}).get('max_surface_speed', 0) > report['truth_max_surface_speed'])} "
                 f"of {len(report['stability'])} starts.\n")
    lines.append("| start | day 15 | day 30 | day 60 |")
    lines.append("|---|---|---|---|")
    for s in report["stability"]:
        cells = []
        for day in (15, 30, 60):
            x = s.get(f"day{day}")
            cells.append("-" if x is None else ("finite" if x["finite"] else "NOT FINITE")
                         + f", max speed {x['max_surface_speed']:.2f} m/s, SST {x['sst_range'][0]:.1f}..{x['sst_range'][1]:.1f}")
        lines.append(f"| {s['start']} | " + " | ".join(cells) + " |")
    lines.append("\nPlots: `rmse_vs_lead.png`, `maps_day01.png`, `maps_day05.png`, `maps_day10.png`, `maps_day15.png`.")
    with open(os.path.join(args.out, "SKILL.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def plot(out, report, depth, maps, lat, lon):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    r, leads = report["rmse"], np.arange(1, LEADS + 1)
    fig, axes = plt.subplots(1, 5, figsize=(20, 3.8))
    for ax, v in zip(axes, NAMES):
        for kind, style in (("surrogate", "-o"), ("stepper", "-s"), ("persistence", "--"), ("climatology", ":")):
            if kind not in r:
                continue
            ax.plot(leads, [x[0] for x in r[kind][v]], style, label=kind, markersize=3)
        ax.set_title(("surface " if v != "zos" else "") + v)
        ax.set_xlabel("lead day")
        ax.set_ylabel("RMSE, " + NAMES[v].split("(")[1].rstrip(")"))
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "rmse_vs_lead.png"), dpi=90)
    plt.close(fig)
    start, forecast, truth = maps
    for day in (1, 5, 10, 15):
        fig, axes = plt.subplots(2, 3, figsize=(13, 8))
        for row, (label, fields) in enumerate((("surrogate", forecast), ("stepper (truth)", truth))):
            speed = np.sqrt(fields["uo"][day - 1, 0] ** 2 + fields["vo"][day - 1, 0] ** 2)
            panels = (("SST (degC)", fields["thetao"][day - 1, 0], "RdYlBu_r", truth["thetao"][day - 1, 0]),
                      ("SSH (m)", fields["zos"][day - 1, 0], "RdBu_r", truth["zos"][day - 1, 0]),
                      ("surface speed (m/s)", speed, "viridis", np.sqrt(truth["uo"][day - 1, 0] ** 2 + truth["vo"][day - 1, 0] ** 2)))
            for col, (name, field, cmap, scale) in enumerate(panels):
                ax = axes[row, col]
                im = ax.pcolormesh(lon, lat, field, cmap=cmap, vmin=np.nanmin(scale), vmax=np.nanmax(scale), shading="auto")
                ax.set_title(f"{label}: {name}")
                fig.colorbar(im, ax=ax, shrink=0.8)
        fig.suptitle(f"start {start}, lead day {day}")
        fig.tight_layout()
        fig.savefig(os.path.join(out, f"maps_day{day:02d}.png"), dpi=70)
        plt.close(fig)


if __name__ == "__main__":
    main()
