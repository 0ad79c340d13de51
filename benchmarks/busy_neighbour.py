"""The surrogate's forward pass at 1 and 2 threads, alone and beside one busy process (a CPU-bound loop), interleaved
in rounds: the pool must not make 2 threads slower than 1 when another process takes a core now and then.

Usage: python3 benchmarks/busy_neighbour.py FORECASTD MODEL_DIR [--rounds 5] [--repetitions 20] [--json OUT]
Prints a table of median milliseconds per forward pass (min-max over rounds) and, with --json, writes them."""
import argparse
import json
import statistics
import subprocess
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from common import machine  # noqa: E402


def forward_ms(forecastd, model, threads, repetitions):
    out = subprocess.run([forecastd, "bench", "surrogate", model, "--threads", str(threads), "--repetitions",
                          str(repetitions), "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["medianMilliseconds"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("forecastd")
    parser.add_argument("model")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument("--json")
    args = parser.parse_args()
    cases = [(load, threads) for load in ("alone", "busy neighbour") for threads in (1, 2)]
    times = {case: [] for case in cases}
    for _ in range(args.rounds):
        for load, threads in cases:
            busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if load != "alone" else None
            try:
                times[(load, threads)].append(forward_ms(args.forecastd, args.model, threads, args.repetitions))
            finally:
                if busy:
                    busy.kill()
                    busy.wait()
    rows = []
    for (load, threads), values in times.items():
        rows.append({"load": load, "threads": threads, "median_ms": statistics.median(values), "min_ms": min(values),
                     "max_ms": max(values)})
        print(f"{load:15s} {threads} thread(s): {statistics.median(values):8.2f} ms ({min(values):.2f}-{max(values):.2f})")
    for load in ("alone", "busy neighbour"):
        one = next(r for r in rows if r["load"] == load and r["threads"] == 1)["median_ms"]
        two = next(r for r in rows if r["load"] == load and r["threads"] == 2)["median_ms"]
        print(f"{load}: 2 threads against 1: {one / two:.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine(), "rounds": args.rounds, "repetitions": args.repetitions, "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
