#!/usr/bin/env python3
"""Converts a WenHai-structured ONNX file (the published WenHai.onnx, or one exported the same way from a PyTorch
model of the same structure) into a forecastd model folder.

Usage: import_wenhai.py MODEL.onnx OUT_FOLDER [--pipeline DIR] [--levels M ...] [--force]

The network's hyperparameters (channels, patch, embedding width, stages, blocks, heads, window, MLP ratio,
GroupNorm groups, epsilon) are read from the graph and its initializers' shapes, and every weight is found by the
graph's structure: which operation consumes it, in which order along the data flow from the two inputs, never by
its name. Tensors the exporter folded (the relative position bias gathered from its table, Swin's shift mask, the
attention scale) are evaluated with ONNX Runtime and checked: the bias table is recovered from the gathered bias,
the mask and scale must be Swin's. Anything that does not match forecastd's network is refused with a report of
each mismatch, and nothing is written.

With --pipeline DIR, the folder holding the authors' pipeline files (min_GLORYS.npy, max_GLORYS.npy,
min_flux.npy, max_flux.npy, mask_GLORYS.nc), the model folder is made ready to forecast: min-max normalisation,
states clipped to [0, 1] normalised (the channels' min and max), normalised fluxes clipped to [0, 1], the
per-channel ocean mask, the grid's coordinates and depths (from mask_GLORYS.nc, or --levels), and the flux recipe
the published pipeline computes ("fluxes": "wenhai").

Exit status (sysexits): 0 written, 64 bad usage, 65 not a WenHai-structured graph or inconsistent pipeline files,
66 an input missing, 73 the folder cannot be written (it exists without --force, or the disk refuses)."""
import argparse
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wenhai_onnx.graph import Mismatch  # noqa: E402
from wenhai_onnx.pipeline import read_pipeline, write_folder  # noqa: E402
from wenhai_onnx.structure import convert  # noqa: E402

EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_CANTCREAT = 64, 65, 66, 73


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("onnx")
    parser.add_argument("out")
    parser.add_argument("--pipeline", help="folder of min_GLORYS.npy, max_GLORYS.npy, min_flux.npy, max_flux.npy, mask_GLORYS.nc")
    parser.add_argument("--levels", type=float, nargs="+", help="depth of each level in m (default: mask_GLORYS.nc's depth)")
    parser.add_argument("--force", action="store_true", help="replace OUT_FOLDER if it exists")
    try:
        args = parser.parse_args()
    except SystemExit as exit:
        sys.exit(EX_USAGE if exit.code else 0)
    if os.path.exists(args.out) and not args.force:
        print(f"import_wenhai: {args.out} exists; give --force to replace it", file=sys.stderr)
        sys.exit(EX_CANTCREAT)
    try:
        config, weights = convert(args.onnx)
        pipeline = read_pipeline(args.pipeline, config, args.levels) if args.pipeline else None
    except FileNotFoundError as error:
        print(f"import_wenhai: {error.filename or error}: no such file", file=sys.stderr)
        sys.exit(EX_NOINPUT)
    except Mismatch as error:
        print(f"import_wenhai: {args.onnx}: not a WenHai-structured network forecastd runs: {error}", file=sys.stderr)
        sys.exit(EX_DATAERR)
    with open(args.onnx, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    source = {"onnx": os.path.basename(args.onnx), "sha256": digest, "importer": "tools/import_wenhai.py"}
    try:
        write_folder(args.out, config, weights, pipeline, source)
    except OSError as error:
        print(f"import_wenhai: {args.out}: cannot write the model folder: {error}", file=sys.stderr)
        sys.exit(EX_CANTCREAT)
    c = config
    print(f"{args.out}: {c['state_channels']} state + {c['flux_channels']} flux channels on {c['grid']['height']}x"
          f"{c['grid']['width']}, patch {c['patch_size']}, dim {c['embed_dim']}, depths {c['depths']}, heads "
          f"{c['num_heads']}, window {c['window_size']}, {sum(v.size for v in weights.values())} parameters"
          + (", ready to forecast" if pipeline else ""))


if __name__ == "__main__":
    main()
