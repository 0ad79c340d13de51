#!/usr/bin/env python3
"""Drives a forecastd daemon through OWSLib, the standard Python client for OGC APIs, end to end: landing page,
conformance, processes, the process description, an asynchronous execution, polling the job, downloading the
result and opening it with xarray. Prints one JSON object of what it saw.

Usage: owslib_forecast.py URL DAYS OUT.nc
"""
import json
import sys
import time

import numpy as np
import requests
import xarray as xr
from owslib.ogcapi.processes import Processes

url, days, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
service = Processes(url)                                   # reads the landing page
seen = {"links": sorted(link["rel"] for link in service.links),
        "conformsTo": service.conformance()["conformsTo"],
        "processes": [p["id"] for p in service.processes()],
        "inputs": sorted(service.process("forecast")["inputs"])}
job = service.execute("forecast", {"model": "sample", "init": "init.nc", "forcing": "forcing.nc", "days": days}, async_=True)
seen["submitted"] = job["status"]
status_url = f"{url.rstrip('/')}/jobs/{job['jobID']}"
for _ in range(1200):
    status = requests.get(status_url, timeout=30).json()
    if status["status"] in ("successful", "failed", "dismissed"):
        break
    time.sleep(0.1)
seen["status"] = status["status"]
result = next(link["href"] for link in status["links"] if link["rel"].endswith("/results"))
with open(out, "wb") as f:
    f.write(requests.get(url.rstrip("/") + result, timeout=60).content)
with xr.open_dataset(out) as d:
    seen["variables"] = sorted(v for v in d.data_vars if "latitude" in d[v].dims)
    seen["times"] = int(d.sizes["time"])
    seen["surface_thetao_finite"] = bool(np.isfinite(float(d["thetao"].isel(time=-1, depth=0).mean(skipna=True))))
print(json.dumps(seen))
