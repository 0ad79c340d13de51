#!/usr/bin/env python3
"""PNG plots of the benchmark JSON files (matplotlib, headless).

Usage: benchmarks/plot.py --scaling S.json [--scaling-node N.json] [--speedup SPEEDUP.json --skill benchmarks/skill/skill.json]
           --out benchmarks/plots
Writes scaling_threads.png (speed-up against threads, this machine and a 16-core node when given),
scaling_grid.png (forward-pass time and peak RSS against cells, log-log, with the fitted slopes) and
speedup.png (the 15-day forecast: stepper against surrogate, with the surrogate's skill against persistence).
"""
import argparse, json, os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt


def threads_plot(runs, out):
    fig, ax = plt.subplots(figsize=(6, 4))
    top = 1
    for label, data, style in runs:
        t = data["threads"]
        counts = sorted(int(k) for k in t["surrogate_speedup"])
        top = max(top, max(counts))
        ax.plot(counts, [t["surrogate_speedup"][str(c)] for c in counts], "o" + style, label=f"surrogate {t['surrogate_grid']}, {label}")
        ax.plot(counts, [t["stepper_speedup"][str(c)] for c in counts], "s" + style, label=f"stepper, {label}")
    ax.plot([1, top], [1, top], "k:", lw=1, label="ideal")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("threads")
    ax.set_ylabel("speed-up over 1 thread (median)")
    ax.legend(fontsize=7)
    ax.set_title("forecastd: time against threads")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "scaling_threads.png"), dpi=110)


def grid_plot(data, out):
    g = data["grid"]
    cells = g["cells"]
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.6))
    ax[0].loglog(cells, [g["surrogate_ms"][s]["median"] for s in g["sizes"]], "o-")
    ax[0].set_title(f"forward pass, {g['threads']} threads: slope {g['time_slope']:.2f}")
    ax[0].set_xlabel("grid cells")
    ax[0].set_ylabel("ms (median)")
    ax[1].loglog(cells, [g["peak_rss_mib"][s]["median"] for s in g["sizes"]], "s-", color="C1")
    ax[1].set_title(f"peak RSS: slope {g['rss_slope']:.2f}")
    ax[1].set_xlabel("grid cells")
    ax[1].set_ylabel("MiB")
    for a, s in zip(ax, ["surrogate_ms", "peak_rss_mib"]):
        for size, c in zip(g["sizes"], cells):
            a.annotate(size, (c, g[s][size]["median"]), fontsize=7, textcoords="offset points", xytext=(3, -10))
    fig.tight_layout()
    fig.savefig(os.path.join(out, "scaling_grid.png"), dpi=110)


def speedup_plot(speedup, skill, out):
    rows = {r["name"]: r for r in speedup["results"]}
    names = ["stepper", "surrogate_forecast", "surrogate_network"]
    seconds = [rows[n]["median_ms"] / 1e3 for n in names]
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    bars = ax[0].barh(["stepper", "surrogate\n(NetCDF to NetCDF)", "surrogate\nnetwork only"], seconds, color=["C3", "C0", "C2"])
    ax[0].set_xscale("log")
    ax[0].set_xlabel("seconds for the 15-day forecast (median)")
    for bar, n in zip(bars, names):
        ax[0].annotate(f"{rows[n]['ratio']:.0f}x" if n != "stepper" else "1x", (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                       fontsize=8, xytext=(3, 0), textcoords="offset points", va="center")
    ax[0].set_title(f"same grid, init, forcing, {speedup['threads']} threads")
    if skill:
        leads = [1, 5, 10, 15]

        def surface(kind, variable):
            return [x[0] if isinstance(x, list) else x for x in skill["rmse"][kind][variable]]

        for variable, label in [("thetao", "SST"), ("so", "SSS"), ("uo", "surface uo"), ("vo", "surface vo"), ("zos", "SSH")]:
            model, persistence = surface("surrogate", variable), surface("persistence", variable)
            ax[1].plot(leads, [model[l - 1] / persistence[l - 1] for l in leads], "o-", label=label)
        ax[1].axhline(1, color="k", lw=1, ls=":")
        ax[1].set_xlabel("lead day")
        ax[1].set_ylabel("RMSE surrogate / persistence")
        ax[1].set_title("skill (below 1: beats persistence)")
        ax[1].legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "speedup.png"), dpi=110)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scaling")
    parser.add_argument("--scaling-node")
    parser.add_argument("--speedup")
    parser.add_argument("--skill")
    parser.add_argument("--out", default="benchmarks/plots")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.scaling:
        local = json.load(open(args.scaling))
        runs = [("this machine", local, "-")]
        if args.scaling_node:
            runs.append(("16-core node", json.load(open(args.scaling_node)), "--"))
        threads_plot(runs, args.out)
        grid_plot(local, args.out)
    if args.speedup:
        speedup_plot(json.load(open(args.speedup)), json.load(open(args.skill)) if args.skill else None, args.out)


if __name__ == "__main__":
    main()
