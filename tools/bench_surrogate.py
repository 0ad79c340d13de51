#!/usr/bin/env python3
"""The surrogate's forward pass against ONNX Runtime and OpenVINO on the identical exported model, interleaved in
one run.

For each config (random weights made by tools/reference/make_models.py, exported by tools/export_onnx.py), each
round times every engine at every thread count, alone and (with --busy) beside one CPU-bound process, rotating
the engines' order from round to round:
- forecastd fp32 and bf16 (`forecastd bench surrogate DIR --threads T --precision P --json`, a subprocess: two
  untimed planning passes, then PASSES timed ones); bf16 is left out, with the reason printed, where the
  processor has no bf16 instructions;
- ONNX Runtime fp32 (one session per thread count, kept across rounds, warmed up once);
- OpenVINO at its default precision (bf16 where the CPU has it, as a user on an Intel node gets) and with
  INFERENCE_PRECISION_HINT f32 (one compiled model per thread count and precision, latency hint, one stream).
Reports medians over all timed passes, the spread (min-max) and each engine's time over forecastd's best.

Usage: bench_surrogate.py FORECASTD_BINARY WORK_DIR [--config sample --config wenhai] [--rounds 3] [--passes 3]
       [--threads 1 --threads 2] [--busy] [--no-openvino] [--markdown OUT.md] [--json OUT.json]"""
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


def ort_file_session(path, threads):
    """ONNX Runtime's CPU provider on the ONNX file `path`, `threads` intra-op threads, every graph optimisation; a
    function from a feed to the outputs."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return lambda feed: session.run(None, feed)


def ort_session(folder, threads):
    return ort_file_session(os.path.join(folder, "model.onnx"), threads)


def openvino_request(folder, threads, precision):
    """A compiled OpenVINO model's infer function and the precision it chose (None: its default)."""
    import openvino as ov
    core = ov.Core()
    config = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": 1}
    if precision:
        config["INFERENCE_PRECISION_HINT"] = precision
    compiled = core.compile_model(core.read_model(os.path.join(folder, "model.onnx")), "CPU", config)
    request = compiled.create_infer_request()
    chosen = compiled.get_property("INFERENCE_PRECISION_HINT")
    return (lambda feed: request.infer(feed)), chosen.get_type_name() if hasattr(chosen, "get_type_name") else str(chosen)


def time_calls(run, feed, passes):
    times = []
    for _ in range(passes):
        start = time.perf_counter()
        run(feed)
        times.append((time.perf_counter() - start) * 1000)
    return times


def forecastd_report(binary, folder, threads, passes, precision):
    result = subprocess.run([binary, "bench", "surrogate", folder, "--threads", str(threads), "--repetitions", str(passes),
                             "--precision", precision, "--json"], capture_output=True, text=True)
    if result.returncode != 0:
        return None, result.stderr.strip()
    return json.loads(result.stdout), None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("work")
    parser.add_argument("--config", action="append")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--threads", type=int, action="append")
    parser.add_argument("--busy", action="store_true", help="also time every engine beside one CPU-bound process")
    parser.add_argument("--no-openvino", action="store_true")
    parser.add_argument("--markdown")
    parser.add_argument("--json")
    args = parser.parse_args()
    configs = args.config or ["sample", "wenhai"]
    thread_counts = args.threads or [1, 2]
    loads = ["alone", "busy neighbour"] if args.busy else ["alone"]
    precisions = ["fp32"]
    probe, reason = forecastd_report(args.binary, prepare(args.work, configs[0]), 1, 1, "bf16")
    if probe:
        precisions.append("bf16")
    else:
        print(f"forecastd bf16 left out: {reason}", file=sys.stderr)
    results = []
    for name in configs:
        folder = prepare(args.work, name)
        inputs = load_file(os.path.join(folder, "inputs.safetensors"))
        feed = {"state": inputs["state"][None], "flux": inputs["flux"][None]}
        engines, chosen = {}, {}
        for t in thread_counts:
            engines[("onnxruntime fp32", t)] = ort_session(folder, t)
            if not args.no_openvino:
                for label, hint in (("openvino default", None), ("openvino f32", "f32")):
                    engines[(label, t)], chosen[label] = openvino_request(folder, t, hint)
        for run in engines.values():
            run(feed)
        labels = [f"forecastd {p}" for p in precisions] + sorted({label for label, _ in engines})
        times = {(label, t, load): [] for label in labels for t in thread_counts for load in loads}
        details = {}
        for r in range(args.rounds):
            for load in loads:
                busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if load != "alone" else None
                try:
                    for t in thread_counts:
                        rotated = labels[r % len(labels):] + labels[:r % len(labels)]
                        for label in rotated:
                            if label.startswith("forecastd"):
                                report, _ = forecastd_report(args.binary, folder, t, args.passes, label.split()[1])
                                times[(label, t, load)] += report["passMilliseconds"]
                                details.setdefault((label, t), []).append(report)
                            else:
                                times[(label, t, load)] += time_calls(engines[(label, t)], feed, args.passes)
                            time.sleep(0.3)  # let the previous engine's spinning threads go idle
                finally:
                    if busy:
                        busy.kill()
                        busy.wait()
        for t in thread_counts:
            for load in loads:
                medians = {label: statistics.median(times[(label, t, load)]) for label in labels}
                best = min(medians[f"forecastd {p}"] for p in precisions)
                report = details[("forecastd fp32", t)][0]
                row = {"config": name, "threads": t, "load": load, "gflop_per_step": report["gflopPerStep"],
                       "instruction_path": report.get("instructionPath"), "openvino_default_precision": chosen.get("openvino default"),
                       "engines": {label: {"median_ms": medians[label], "min_ms": min(times[(label, t, load)]),
                                           "max_ms": max(times[(label, t, load)]), "over_forecastd_best": medians[label] / best}
                                   for label in labels},
                       "speedup": medians["onnxruntime fp32"] / medians["forecastd fp32"],
                       "fma_peak_gflops": statistics.median(d["fmaPeakGflops"] for d in details[("forecastd fp32", t)])}
                results.append(row)
                print(json.dumps(row), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    if args.markdown:
        write_markdown(args.markdown, results, sys.argv)


def write_markdown(path, results, argv):
    labels = list(results[0]["engines"])
    versions = f"ONNX Runtime {ort.__version__}"
    try:
        import openvino
        versions += f", OpenVINO {openvino.__version__}"
    except ImportError:
        pass
    lines = ["# Surrogate forward pass: forecastd against ONNX Runtime and OpenVINO", "",
             f"Command: `python3 tools/bench_surrogate.py {' '.join(argv[1:])}` (after `swift build -c release`), "
             f"{versions}, numpy {np.__version__}. Instruction path: {results[0]['instruction_path']}; OpenVINO's "
             f"default precision here: {results[0]['openvino_default_precision']}.", "",
             "Median ms per pass (min-max), and in brackets the time over forecastd's best precision.", "",
             "| config | threads | load | " + " | ".join(labels) + " |",
             "|---|---|---|" + "---|" * len(labels)]
    for r in results:
        cells = [f"{e['median_ms']:.1f} ({e['min_ms']:.1f}-{e['max_ms']:.1f}) [{e['over_forecastd_best']:.2f}x]"
                 for e in r["engines"].values()]
        lines.append(f"| {r['config']} | {r['threads']} | {r['load']} | " + " | ".join(cells) + " |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
