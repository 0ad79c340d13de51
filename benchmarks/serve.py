#!/usr/bin/env python3
"""forecastd serve under load: status and health latency, submit latency, jobs lost, forecast slowdown.

Starts `forecastd serve` on weights-sample (port chosen by the system, state in WORK), then in each round:
  quiet:  submits --jobs 15-day forecasts and waits for them; each job's compute time is the sum of its
          timings (read + fluxes + network + write), as the service reports them;
  loaded: runs two wrk processes for --seconds (GET /jobs/{id} and GET /v2/health/ready, 1 thread and 2
          connections each, as fast as they go) while this script keeps the queue fed with submissions
          (each POST timed); jobs that ran wholly inside the wrk window give the loaded compute time.
Rounds alternate quiet and loaded. At the end every accepted job must be successful (jobs lost = 0).
Figures: p50/p99 of status, health and submit requests under load; slowdown = median loaded job time /
median quiet job time (the reference, same run, same server).

Usage: benchmarks/serve.py FORECASTD WORK [--rounds 3] [--jobs 5] [--seconds 8] [--threads 2] [--markdown F] [--json F]
"""
import argparse, datetime, http.client, json, os, re, shutil, statistics, subprocess, sys, time

from common import emit, machine

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def request(port, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
    reply = connection.getresponse()
    data = reply.read()
    connection.close()
    return reply.status, data


def submit(port):
    body = json.dumps({"inputs": {"model": "sample", "init": "init.nc", "forcing": "forcing.nc", "days": 15, "deflate": 0}})
    start = time.perf_counter()
    status, data = request(port, "POST", "/processes/forecast/execution", body)
    elapsed = time.perf_counter() - start
    if status != 201:
        raise SystemExit(f"submit refused: {status} {data!r}")
    return json.loads(data)["jobID"], elapsed


def job(port, job_id):
    return json.loads(request(port, "GET", f"/jobs/{job_id}")[1])


def compute_seconds(status):
    return sum(status["timings"].values())


def wait_all(port, ids):
    while True:
        states = [job(port, i) for i in ids]
        if all(s["status"] in ("successful", "failed", "dismissed") for s in states):
            return states
        time.sleep(0.05)


def queue_depth(port):
    return sum(1 for s in json.loads(request(port, "GET", "/jobs")[1])["jobs"] if s["status"] == "accepted")


def parse_wrk(text):
    units = {"us": 1e-3, "ms": 1.0, "s": 1e3}
    percentiles = {}
    for p, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M):
        percentiles[p] = float(value) * units[unit]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {"p50_ms": percentiles["50"], "p99_ms": percentiles["99"], "requests_per_s": rate,
            "non_2xx": int(errors.group(1)) if errors else 0}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("forecastd")
    parser.add_argument("work")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--markdown")
    parser.add_argument("--json")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    state = os.path.join(args.work, "serve-state")
    shutil.rmtree(state, ignore_errors=True)
    log = open(os.path.join(args.work, "serve.log"), "w")
    server = subprocess.Popen([args.forecastd, "serve", "--model", "sample=" + os.path.join(REPO, "weights-sample"),
                               "--data-root", os.path.join(REPO, "weights-sample", "data"), "--state-dir", state,
                               "--port", "0", "--threads", str(args.threads), "--queue-limit", "64"], stdout=log, stderr=log)
    try:
        announce = os.path.join(state, "server.json")
        for _ in range(600):
            if os.path.exists(announce):
                break
            time.sleep(0.05)
        port = json.load(open(announce))["port"]
        while request(port, "GET", "/v2/health/ready")[0] != 200:
            time.sleep(0.05)
        accepted, quiet, loaded, submits, status_runs, health_runs = [], [], [], [], [], []
        for round_index in range(args.rounds):
            ids = [submit(port)[0] for _ in range(args.jobs)]
            accepted += ids
            quiet += [compute_seconds(s) for s in wait_all(port, ids)]
            probe = ids[0]
            wrk = [subprocess.Popen(["wrk", "-t1", "-c2", f"-d{args.seconds}s", "--latency", f"http://127.0.0.1:{port}{path}"],
                                    stdout=subprocess.PIPE, text=True)
                   for path in (f"/jobs/{probe}", "/v2/health/ready")]
            window_start = datetime.datetime.now(datetime.timezone.utc)
            ids = []
            while any(w.poll() is None for w in wrk):
                if queue_depth(port) < 1:
                    job_id, elapsed = submit(port)
                    ids.append(job_id)
                    submits.append(elapsed * 1e3)
                time.sleep(0.02)
            window_end = datetime.datetime.now(datetime.timezone.utc)
            status_runs.append(parse_wrk(wrk[0].stdout.read()))
            health_runs.append(parse_wrk(wrk[1].stdout.read()))
            accepted += ids
            for s in wait_all(port, ids):
                started = datetime.datetime.fromisoformat(s["started"].replace("Z", "+00:00"))
                finished = datetime.datetime.fromisoformat(s["finished"].replace("Z", "+00:00"))
                if s["status"] == "successful" and started >= window_start.replace(microsecond=0) and finished <= window_end:
                    loaded.append(compute_seconds(s))
        final = wait_all(port, accepted)
        lost = sum(1 for s in final if s["status"] != "successful")
    finally:
        server.terminate()
        server.wait()

    def median(values):
        return statistics.median(values) if values else float("nan")

    submits.sort()
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": " ".join(["benchmarks/serve.py"] + sys.argv[1:]),
        "rounds": args.rounds, "threads": args.threads,
        "status_p50_ms": median([r["p50_ms"] for r in status_runs]),
        "status_p99_ms": median([r["p99_ms"] for r in status_runs]),
        "status_requests_per_s": median([r["requests_per_s"] for r in status_runs]),
        "health_p50_ms": median([r["p50_ms"] for r in health_runs]),
        "health_p99_ms": median([r["p99_ms"] for r in health_runs]),
        "health_requests_per_s": median([r["requests_per_s"] for r in health_runs]),
        "non_2xx": sum(r["non_2xx"] for r in status_runs + health_runs),
        "submit_p50_ms": median(submits),
        "submit_p99_ms": submits[min(len(submits) - 1, int(0.99 * len(submits)))] if submits else float("nan"),
        "submits": len(submits),
        "jobs_accepted": len(accepted), "jobs_lost": lost,
        "quiet_job_s": median(quiet), "quiet_job_min_s": min(quiet), "quiet_job_max_s": max(quiet), "quiet_jobs": len(quiet),
        "loaded_job_s": median(loaded), "loaded_job_min_s": min(loaded, default=float("nan")),
        "loaded_job_max_s": max(loaded, default=float("nan")), "loaded_jobs": len(loaded),
    }
    result["slowdown"] = result["loaded_job_s"] / result["quiet_job_s"]
    emit(result, args.json)
    if args.markdown:
        r = result
        with open(args.markdown, "w") as out:
            out.write(f"""# forecastd serve under load ({r['date'][:10]})

Command: `{r['command']}` (from the repository root, after `swift build -c release`). Machine: {r['machine']}.
Model weights-sample, 15-day forecasts (deflate 0) on {r['threads']} compute threads; {r['rounds']} rounds, each a
quiet phase (jobs alone: the reference) then a loaded phase (two `wrk -t1 -c2 --latency` runs of
{args.seconds} s, one on `GET /jobs/ID`, one on `GET /v2/health/ready`, while the queue is kept fed).

| figure | value |
| --- | --- |
| status `GET /jobs/ID` p50 / p99 under load | {r['status_p50_ms']:.2f} ms / {r['status_p99_ms']:.2f} ms ({r['status_requests_per_s']:.0f} req/s) |
| health `GET /v2/health/ready` p50 / p99 under load | {r['health_p50_ms']:.2f} ms / {r['health_p99_ms']:.2f} ms ({r['health_requests_per_s']:.0f} req/s) |
| submit `POST /processes/forecast/execution` p50 / p99 under load ({r['submits']} requests) | {r['submit_p50_ms']:.2f} ms / {r['submit_p99_ms']:.2f} ms |
| non-2xx responses | {r['non_2xx']} |
| jobs accepted / lost | {r['jobs_accepted']} / {r['jobs_lost']} |
| job compute time, quiet (median, min-max, {r['quiet_jobs']} jobs) | {r['quiet_job_s']:.3f} s ({r['quiet_job_min_s']:.3f}-{r['quiet_job_max_s']:.3f}) |
| job compute time under load (median, min-max, {r['loaded_jobs']} jobs) | {r['loaded_job_s']:.3f} s ({r['loaded_job_min_s']:.3f}-{r['loaded_job_max_s']:.3f}) |
| forecast slowdown caused by the load | {r['slowdown']:.2f}x |
""")


if __name__ == "__main__":
    main()
