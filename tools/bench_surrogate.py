#!/usr/bin/env python3
"""The surrogate's forward pass against ONNX Runtime on the identical exported model, interleaved in one run.

For each config (random weights made by tools/reference/make_models.py, exported by tools/export_onnx.py),
each round times forecastd (`forecastd bench surrogate DIR --threads T --json`, a subprocess: two untimed
planning passes, then PASSES timed ones) and ONNX Runtime (one session per thread count, kept across rounds,
warmed up once, PASSES timed runs) at 1 and 2 threads, alternating which goes first. Reports medians over
all timed passes, the spread (min-max), the speed ratio (ONNX Runtime median / forecastd median) and
forecastd's fraction of the FMA peak it measured in the same process.

Usage: bench_surrogate.py FORECASTD_BINARY WORK_DIR [--config sample --config wenhai] [--rounds 3] [--passes 3]
       [--markdown OUT.md] [--json OUT.json]"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import onnxruntime as ort
from safetensors.numpy import load_file

TOOLS = os.path.dirname(os.path.abspath(__file__))


def prepare(work, name):
    folder = os.path.join(work, name)
    if not os.path.exists(os.path.join(folder, "model.onnx")):
        subprocess.run([sys.executable, os.path.join(TOOLS, "reference", "make_models.py"), work, "--config", name,
                        "--inputs"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, os.path.join(TOOLS, "export_onnx.py"), folder], check=True)
    return folder


def ort_session(folder, threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(os.path.join(folder, "model.onnx"), options, providers=["CPUExecutionProvider"])


def time_ort(session, feed, passes):
    times = []
    for _ in range(passes):
        start = time.perf_counter()
        session.run(["change"], feed)
        times.append((time.perf_counter() - start) * 1000)
    return times


def time_forecastd(binary, folder, threads, passes):
    out = subprocess.run([binary, "bench", "surrogate", folder, "--threads", str(threads), "--repetitions",
                          str(passes), "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("work")
    parser.add_argument("--config", action="append")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--threads", type=int, action="append")
    parser.add_argument("--markdown")
    parser.add_argument("--json")
    args = parser.parse_args()
    configs = args.config or ["sample", "wenhai"]
    thread_counts = args.threads or [1, 2]
    results = []
    for name in configs:
        folder = prepare(args.work, name)
        inputs = load_file(os.path.join(folder, "inputs.safetensors"))
        feed = {"state": inputs["state"][None], "flux": inputs["flux"][None]}
        sessions = {t: ort_session(folder, t) for t in thread_counts}
        for session in sessions.values():
            session.run(["change"], feed)
        swift = {t: [] for t in thread_counts}
        onnx = {t: [] for t in thread_counts}
        details = {}
        for r in range(args.rounds):
            for t in thread_counts:
                order = ("swift", "ort") if r % 2 == 0 else ("ort", "swift")
                for who in order:
                    if who == "swift":
                        report = time_forecastd(args.binary, folder, t, args.passes)
                        swift[t] += report["passMilliseconds"]
                        details.setdefault(t, []).append(report)
                    else:
                        onnx[t] += time_ort(sessions[t], feed, args.passes)
                    time.sleep(0.5)  # let the other side's spinning threads go idle
        for t in thread_counts:
            s_med, o_med = statistics.median(swift[t]), statistics.median(onnx[t])
            gflop = details[t][0]["gflopPerStep"]
            peak = statistics.median(d["fmaPeakGflops"] for d in details[t])
            results.append({
                "config": name, "threads": t, "gflop_per_step": gflop,
                "forecastd_ms": s_med, "forecastd_min_ms": min(swift[t]), "forecastd_max_ms": max(swift[t]),
                "onnxruntime_ms": o_med, "onnxruntime_min_ms": min(onnx[t]), "onnxruntime_max_ms": max(onnx[t]),
                "speedup": o_med / s_med, "forecastd_gflops": gflop / s_med * 1000, "fma_peak_gflops": peak,
                "forecastd_fraction_of_peak": gflop / s_med * 1000 / peak,
                "onnxruntime_fraction_of_peak": gflop / o_med * 1000 / peak,
                "passes": len(swift[t]),
                "parts": statistics_of_parts(details[t]),
            })
            print(json.dumps(results[-1]), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    if args.markdown:
        write_markdown(args.markdown, results, sys.argv)


def statistics_of_parts(reports):
    names = [p["name"] for p in reports[0]["parts"]]
    return {n: {"ms": statistics.median(p["milliseconds"] for r in reports for p in r["parts"] if p["name"] == n),
                "gflops": statistics.median(p["gflops"] for r in reports for p in r["parts"] if p["name"] == n)}
            for n in names}


def write_markdown(path, results, argv):
    lines = ["# Surrogate forward pass: forecastd against ONNX Runtime", "",
             f"Command: `python3 tools/bench_surrogate.py {' '.join(argv[1:])}` (after `swift build -c release`), "
             f"ONNX Runtime {ort.__version__}, numpy {np.__version__}.", "",
             "| config | threads | GFLOP/step | forecastd ms (min-max) | ONNX Runtime ms (min-max) | speed-up | "
             "forecastd % of FMA peak | ONNX Runtime % of peak |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['config']} | {r['threads']} | {r['gflop_per_step']:.2f} | "
                     f"{r['forecastd_ms']:.1f} ({r['forecastd_min_ms']:.1f}-{r['forecastd_max_ms']:.1f}) | "
                     f"{r['onnxruntime_ms']:.1f} ({r['onnxruntime_min_ms']:.1f}-{r['onnxruntime_max_ms']:.1f}) | "
                     f"{r['speedup']:.2f}x | {100 * r['forecastd_fraction_of_peak']:.0f}% of {r['fma_peak_gflops']:.0f} | "
                     f"{100 * r['onnxruntime_fraction_of_peak']:.0f}% |")
    lines += ["", "forecastd time by part of the network (median ms per pass, GFLOP/s):", ""]
    for r in results:
        parts = ", ".join(f"{n} {v['ms']:.1f} ms ({v['gflops']:.0f})" for n, v in r["parts"].items())
        lines.append(f"- {r['config']}, {r['threads']} thread(s): {parts}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
