#!/usr/bin/env python3
"""The imported WenHai model, per forward pass: forecastd (bf16 and fp32) on the folder tools/import_wenhai.py made
against ONNX Runtime (CPU provider) on the ONNX file it was imported from, interleaved in one run.

The network is WenHai's structure at the size of forecastd's WenHai-scale benchmarks (720 x 1440, 93 + 8
channels, patch 4, dim 192, 8 blocks, window 8), built in PyTorch with random weights and exported in float16 as
the authors ship theirs (tools/reference/wenhai_torch.py --config quarter-degree). ONNX Runtime runs that file as a
user of the published pipeline would, and also the same weights in a float32 graph, ONNX Runtime's fast path on a
CPU. Each round times every engine (PASSES passes after a warm-up; forecastd as `forecastd bench surrogate`, which
plans on two untimed passes) at each thread count, rotating their order.

forecastd bf16 is left out, with the reason printed, where the processor has no bf16 instructions. `--config
one-stage` (40 x 60) is the smoke run's size.

Usage: wenhai_import.py FORECASTD WORK [--config quarter-degree] [--rounds 3] [--passes 2] [--threads 1 --threads 2]
       [--json OUT]"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "tools")
sys.path.insert(0, HERE)
sys.path.insert(0, TOOLS)
sys.path.insert(0, os.path.join(TOOLS, "reference"))
from bench_surrogate import forecastd_report, ort_file_session, time_calls  # noqa: E402
from common import emit, machine  # noqa: E402
from wenhai_torch import CONFIGS  # noqa: E402


def prepare(work, config):
    export, folder = os.path.join(work, config, "export"), os.path.join(work, config, "imported")
    if not os.path.exists(os.path.join(export, "WenHai-fp32.onnx")):
        subprocess.run([sys.executable, os.path.join(TOOLS, "reference", "wenhai_torch.py"), export, "--config",
                        config, "--no-run"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not os.path.exists(os.path.join(folder, "model.safetensors")):
        subprocess.run([sys.executable, os.path.join(TOOLS, "import_wenhai.py"), os.path.join(export, "WenHai.onnx"), folder,
                        "--force"], check=True)
    return export, folder


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("forecastd")
    p.add_argument("work")
    p.add_argument("--config", default="quarter-degree", choices=sorted(CONFIGS))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--passes", type=int, default=2)
    p.add_argument("--threads", type=int, action="append")
    p.add_argument("--json")
    args = p.parse_args()
    threads = args.threads or [2]
    cfg = CONFIGS[args.config]
    export, folder = prepare(args.work, args.config)
    rng = np.random.default_rng(1)
    state = rng.uniform(0, 1, (1, cfg["state"], cfg["height"], cfg["width"])).astype(np.float16)
    flux = rng.uniform(0, 1, (1, cfg["flux"], cfg["height"], cfg["width"])).astype(np.float16)
    feeds = {"onnxruntime float16 file": {"input": state, "bulk_flux": flux},
             "onnxruntime float32 graph": {"input": state.astype(np.float32), "bulk_flux": flux.astype(np.float32)}}
    files = {"onnxruntime float16 file": "WenHai.onnx", "onnxruntime float32 graph": "WenHai-fp32.onnx"}
    precisions = ["bf16", "fp32"]
    probe, reason = forecastd_report(args.forecastd, folder, 1, 1, "bf16")
    if probe is None:
        precisions.remove("bf16")
        print(f"forecastd bf16 left out: {reason}", file=sys.stderr)
    labels = [f"forecastd {p}" for p in precisions] + list(files)
    times = {(label, t): [] for label in labels for t in threads}
    for t in threads:
        engines = {label: ort_file_session(os.path.join(export, name), t) for label, name in files.items()}
        for label, run in engines.items():
            run(feeds[label])
        for r in range(args.rounds):
            for label in labels[r % len(labels):] + labels[:r % len(labels)]:
                if label.startswith("forecastd"):
                    report, error = forecastd_report(args.forecastd, folder, t, args.passes, label.split()[1])
                    if report is None:
                        sys.exit(f"{label}: {error}")
                    times[(label, t)] += report["passMilliseconds"]
                else:
                    times[(label, t)] += time_calls(engines[label], feeds[label], args.passes)
                time.sleep(0.3)
    rows = []
    for t in threads:
        medians = {label: statistics.median(times[(label, t)]) / 1000 for label in labels}
        best = medians[f"forecastd {precisions[0]}"]
        rows.append({"threads": t, "seconds": medians,
                     "range_s": {label: [min(times[(label, t)]) / 1000, max(times[(label, t)]) / 1000] for label in labels},
                     f"{precisions[0]}_over_onnxruntime_float16": medians["onnxruntime float16 file"] / best,
                     f"{precisions[0]}_over_onnxruntime_float32": medians["onnxruntime float32 graph"] / best})
    network = (f"{cfg['state']} + {cfg['flux']} channels, patch {cfg['patch']}, dim {cfg['dim']}, "
               f"{sum(cfg['depths'])} blocks, window {cfg['window']}")
    emit({"machine": machine(), "grid": f"{cfg['height']}x{cfg['width']}", "network": network,
          "rounds": args.rounds, "passes": args.passes, "rows": rows}, args.json)


if __name__ == "__main__":
    main()
