#!/usr/bin/env python3
"""A PyTorch implementation of WenHai's published network structure, written from its description (conv patch
embeddings of the ocean state and of the bulk fluxes, each followed by a stride-2 residual conv block, the two
summed; Swin blocks with relative position bias and shifted windows; a transposed-conv residual up block; a
linear head with pixel shuffle), exported with torch.onnx.export as the authors ship theirs: one ONNX file whose
two inputs, the state [1, S, H, W] and the fluxes [1, F, H, W], and whose output, the daily change, are float16.

It stands in for the published WenHai.onnx in the importer's tests: random weights, any size. `--names b` builds
the same network from modules named differently (the importer maps weights by the graph's structure, so both must
import to the same model folder).

Usage: wenhai_torch.py OUT_DIR --config NAME [--names a|b] [--seed N] [--forecast] [--deviation KIND] [--no-run]
Writes OUT_DIR/WenHai.onnx, OUT_DIR/inputs.safetensors (a state and a flux field, float32 values that float16
holds exactly) and OUT_DIR/onnxruntime.safetensors (ONNX Runtime's output on them, "change", float32); also
WenHai-fp32.onnx and onnxruntime-fp32.safetensors, the same weights in a float32 graph. With
--forecast (configs whose state is uo, vo, thetao, so on each level, then zos), also the pipeline's files beside
it as the authors ship them: min_GLORYS.npy, max_GLORYS.npy, min_flux.npy, max_flux.npy and mask_GLORYS.nc."""
import argparse
import math
import os
import sys

import numpy as np
import onnxruntime as ort
import torch
from safetensors.numpy import save_file
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_forecast_case import ocean_mask  # noqa: E402  (the test cases' land, so that the mask agrees with them)

# Hyperparameters per test configuration: grid, channels, patch, embedding width, blocks and heads per stage,
# window, GroupNorm groups; "levels" marks a forecast-capable state (uo, vo, thetao, so per level, then zos).
CONFIGS = {
    "one-stage": dict(height=40, width=60, state=13, flux=8, patch=4, dim=32, depths=[2], heads=[2], window=4,
                      groups=8, levels=[0.494, 9.573, 47.37]),
    "two-stages": dict(height=50, width=70, state=6, flux=4, patch=4, dim=32, depths=[2, 2], heads=[2, 4], window=4,
                       groups=8),
    # WenHai's channels on the 1/4-degree global grid, the size of forecastd's WenHai-scale benchmarks.
    "quarter-degree": dict(height=720, width=1440, state=93, flux=8, patch=4, dim=192, depths=[8], heads=[6], window=8,
                           groups=32),
}

# Module names of the two variants: the same network, nothing in common in its parameter names.
NAMES = {
    "a": dict(state_embed="state_embed", flux_embed="flux_embed", state_down="state_down", flux_down="flux_down",
              layers="layers", layers_up="layers_up", blocks="blocks", up="up", head="head", norm="norm"),
    "b": dict(state_embed="ocean_patchify", flux_embed="atmos_patchify", state_down="ocean_reduce",
              flux_down="atmos_reduce", layers="encoder", layers_up="decoder", blocks="swin", up="upsampler",
              head="projection", norm="final_ln"),
}


class ResidualConvs(nn.Module):
    """x + silu(gn(conv(silu(gn(conv(x)))))), 3x3 convs; with `down`, a stride-2 conv first."""

    def __init__(self, dim, groups, down):
        super().__init__()
        self.conv = nn.Conv2d(dim, dim, 3, stride=2, padding=1) if down else None
        self.conv1 = nn.Conv2d(dim, dim, 3, padding=1)
        self.norm1 = nn.GroupNorm(groups, dim)
        self.conv2 = nn.Conv2d(dim, dim, 3, padding=1)
        self.norm2 = nn.GroupNorm(groups, dim)

    def forward(self, x):
        if self.conv is not None:
            x = self.conv(x)
        h = F.silu(self.norm1(self.conv1(x)))
        return F.silu(self.norm2(self.conv2(h))) + x


def window_partition(x, ws):
    b, h, w, c = x.shape
    return x.view(b, h // ws, ws, w // ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(-1, ws * ws, c)


def window_merge(windows, ws, h, w):
    c = windows.shape[-1]
    return windows.view(1, h // ws, w // ws, ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(1, h, w, c)


class SwinBlock(nn.Module):
    def __init__(self, dim, heads, window, shift, grid, mlp_ratio=4.0, gelu="none"):
        super().__init__()
        self.heads, self.window, self.shift, self.grid = heads, window, shift, grid
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.Module()
        self.attn.qkv = nn.Linear(dim, 3 * dim)
        self.attn.proj = nn.Linear(dim, dim)
        self.attn.relative_position_bias_table = nn.Parameter(torch.zeros((2 * window - 1) ** 2, heads))
        coords = torch.stack(torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij")).flatten(1)
        rel = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0) + (window - 1)
        self.register_buffer("relative_position_index", rel[:, :, 0] * (2 * window - 1) + rel[:, :, 1], persistent=False)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential()
        self.mlp.fc1 = nn.Linear(dim, int(dim * mlp_ratio))
        self.mlp.act = nn.GELU(approximate=gelu)
        self.mlp.fc2 = nn.Linear(int(dim * mlp_ratio), dim)
        if shift:
            h, w = grid
            img = torch.zeros(1, h, w, 1)
            label = 0
            for hs in (slice(0, -window), slice(-window, -shift), slice(-shift, None)):
                for wsl in (slice(0, -window), slice(-window, -shift), slice(-shift, None)):
                    img[:, hs, wsl, :] = label
                    label += 1
            regions = window_partition(img, window).squeeze(-1)
            mask = regions[:, None, :] - regions[:, :, None]
            self.register_buffer("attn_mask", mask.masked_fill(mask != 0, -100.0), persistent=False)

    def attention(self, x):
        b, n, c = x.shape
        hd = c // self.heads
        qkv = self.attn.qkv(x).reshape(b, n, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * hd ** -0.5, qkv[1], qkv[2]
        scores = q @ k.transpose(-2, -1)
        bias = self.attn.relative_position_bias_table[self.relative_position_index.reshape(-1)]
        scores = scores + bias.reshape(n, n, -1).permute(2, 0, 1).unsqueeze(0)
        if self.shift:
            scores = scores + self.attn_mask.unsqueeze(1).to(scores.dtype)
        return self.attn.proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, n, c))

    def forward(self, x):
        h, w = self.grid
        y = self.norm1(x)
        if self.shift:
            y = torch.roll(y, (-self.shift, -self.shift), dims=(1, 2))
        y = window_merge(self.attention(window_partition(y, self.window)), self.window, h, w)
        if self.shift:
            y = torch.roll(y, (self.shift, self.shift), dims=(1, 2))
        x = x + y
        return x + self.mlp(self.norm2(x))


class PatchMerging(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(4 * dim)
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)

    def forward(self, x):
        x = torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], dim=-1)
        return self.reduction(self.norm(x))


class PatchExpanding(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.expand = nn.Linear(dim, 2 * dim, bias=False)
        self.norm = nn.LayerNorm(dim // 2)

    def forward(self, x):
        _, h, w, c = x.shape
        y = self.expand(x).view(1, h, w, 2, 2, c // 2).permute(0, 1, 3, 2, 4, 5).reshape(1, 2 * h, 2 * w, c // 2)
        return self.norm(y)


class Stage(nn.Module):
    def __init__(self, blocks_name, dim, depth, heads, window, grid, deviation=None):
        super().__init__()
        self.blocks_name = blocks_name
        shifted = deviation != "unshifted"
        setattr(self, blocks_name, nn.ModuleList(
            SwinBlock(dim, heads, window, window // 2 if b % 2 and shifted else 0, grid,
                      gelu="tanh" if deviation == "tanh-gelu" else "none") for b in range(depth)))

    def forward(self, x):
        for block in getattr(self, self.blocks_name):
            x = block(x)
        return x


class WenHaiNet(nn.Module):
    def __init__(self, cfg, names, deviation=None):
        super().__init__()
        self.cfg, self.n = cfg, names
        d, p, ws, stages = cfg["dim"], cfg["patch"], cfg["window"], len(cfg["depths"])
        multiple = 2 * p * ws * 2 ** (stages - 1)
        self.padded = (math.ceil(cfg["height"] / multiple) * multiple, math.ceil(cfg["width"] / multiple) * multiple)
        th, tw = self.padded[0] // p // 2, self.padded[1] // p // 2
        setattr(self, names["state_embed"], nn.Conv2d(cfg["state"], d, p, stride=p))
        setattr(self, names["flux_embed"], nn.Conv2d(cfg["flux"], d, p, stride=p))
        setattr(self, names["state_down"], ResidualConvs(d, cfg["groups"], down=True))
        setattr(self, names["flux_down"], ResidualConvs(d, cfg["groups"], down=True))
        dims = [d * 2 ** i for i in range(stages)]
        layers, layers_up = nn.ModuleList(), nn.ModuleList()
        for i in range(stages):
            stage = Stage(names["blocks"], dims[i], cfg["depths"][i], cfg["heads"][i], ws, (th >> i, tw >> i), deviation)
            if i < stages - 1:
                stage.downsample = PatchMerging(dims[i])
            layers.append(stage)
        for i in range(stages - 1):
            stage = Stage(names["blocks"], dims[i], cfg["depths"][i], cfg["heads"][i], ws, (th >> i, tw >> i), deviation)
            stage.upsample = PatchExpanding(dims[i + 1])
            layers_up.append(stage)
        setattr(self, names["layers"], layers)
        setattr(self, names["layers_up"], layers_up)
        setattr(self, names["norm"], nn.LayerNorm(d))
        up = ResidualConvs(d, cfg["groups"], down=False)
        up.conv_transpose = nn.ConvTranspose2d(d, d, 2, stride=2)
        setattr(self, names["up"], up)
        setattr(self, names["head"], nn.Linear(d, cfg["state"] * p * p))
        self.shuffle = nn.PixelShuffle(p)

    def part(self, key):
        return getattr(self, self.n[key])

    def forward(self, state, flux):
        h, w = state.shape[-2:]
        pad = (0, self.padded[1] - w, 0, self.padded[0] - h)
        x = self.part("state_down")(self.part("state_embed")(F.pad(state, pad)))
        x = x + self.part("flux_down")(self.part("flux_embed")(F.pad(flux, pad)))
        x = x.permute(0, 2, 3, 1)
        layers, layers_up = self.part("layers"), self.part("layers_up")
        skips = []
        for i, stage in enumerate(layers):
            x = stage(x)
            if i < len(layers) - 1:
                skips.append(x)
                x = stage.downsample(x)
        for i in reversed(range(len(layers_up))):
            x = layers_up[i](layers_up[i].upsample(x) + skips[i])
        x = self.part("norm")(x).permute(0, 3, 1, 2)
        up = self.part("up")
        x = up(up.conv_transpose(x))
        y = self.part("head")(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        return self.shuffle(y)[:, :, :h, :w]


def randomise(model, seed):
    """Weights scaled like a trained network's: fan-in scaled kernels, norms near 1, visible biases, a head that
    predicts changes of a few percent of each channel's range."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("relative_position_bias_table"):
                p.copy_(0.5 * torch.randn(p.shape, generator=g))
            elif p.dim() == 1 and name.endswith("weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif p.dim() == 1:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p[0].numel()))
        head = model.part("head")
        head.weight.mul_(0.02)
        head.bias.mul_(0.02)


def write_pipeline_files(out, cfg):
    """The normalisation and mask files of WenHai's pipeline for a forecast-capable config: min-max ranges per
    channel, a per-channel ocean mask (1 ocean, 0 land; deeper levels lose cells) on a 1-degree grid from 20.5N,
    140.5E: the ocean of make_forecast_case.py's files on that grid."""
    import xarray as xr

    levels = cfg["levels"]
    ranges = {"uo": (-1.5, 1.5), "vo": (-1.5, 1.5), "thetao": (-2.0, 34.0), "so": (30.0, 40.0), "zos": (-2.0, 1.5)}
    names = [v for v in ("uo", "vo", "thetao", "so") for _ in levels] + ["zos"]
    np.save(os.path.join(out, "min_GLORYS.npy"), np.array([ranges[n][0] for n in names], dtype=np.float32))
    np.save(os.path.join(out, "max_GLORYS.npy"), np.array([ranges[n][1] for n in names], dtype=np.float32))
    np.save(os.path.join(out, "min_flux.npy"), np.array([-300, 0, -200, -600, -1, -1, -1e-4, 0], dtype=np.float32))
    np.save(os.path.join(out, "max_flux.npy"), np.array([100, 400, 100, 100, 1, 1, 1e-4, 5e-4], dtype=np.float32))
    h, w = cfg["height"], cfg["width"]
    ocean = ocean_mask(h, w, levels)
    mask = np.concatenate([ocean] * 4 + [ocean[:1]]).astype(np.float32)
    lat = np.arange(h) + 20.5
    lon = np.arange(w) + 140.5
    xr.Dataset({"mask": (("channel", "latitude", "longitude"), mask)},
               coords={"latitude": lat, "longitude": lon, "depth": ("depth", np.array(levels, dtype=np.float32))}
               ).to_netcdf(os.path.join(out, "mask_GLORYS.nc"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--config", required=True, choices=sorted(CONFIGS))
    parser.add_argument("--names", default="a", choices=sorted(NAMES))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--forecast", action="store_true")
    parser.add_argument("--no-run", action="store_true", help="export only: no ONNX Runtime outputs")
    parser.add_argument("--deviation", choices=["tanh-gelu", "unshifted"],
                        help="a network that is not WenHai's: tanh-approximated GELU, or no shifted windows")
    args = parser.parse_args()
    cfg = CONFIGS[args.config]
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    model = WenHaiNet(cfg, NAMES[args.names], args.deviation).eval()
    randomise(model, args.seed)
    rng = np.random.default_rng(args.seed)
    state = rng.uniform(0, 1, (1, cfg["state"], cfg["height"], cfg["width"])).astype(np.float16)
    flux = rng.uniform(0, 1, (1, cfg["flux"], cfg["height"], cfg["width"])).astype(np.float16)
    save_file({"state": state[0].astype(np.float32), "flux": flux[0].astype(np.float32)},
              os.path.join(args.out, "inputs.safetensors"))
    # The published file's precision, and the same weights (float16 values) in a float32 graph, so that the
    # importer's result can be checked against ONNX Runtime both with and without float16 arithmetic.
    model = model.half()
    for dtype, suffix in ((torch.float16, ""), (torch.float32, "-fp32")):
        model = model.to(dtype)
        path = os.path.join(args.out, f"WenHai{suffix}.onnx")
        inputs = (torch.from_numpy(state).to(dtype), torch.from_numpy(flux).to(dtype))
        with torch.no_grad():
            torch.onnx.export(model, inputs, path, opset_version=17, input_names=["input", "bulk_flux"],
                              output_names=["output"], dynamo=False)
        if args.no_run:
            continue
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        change = session.run(None, {"input": inputs[0].numpy(), "bulk_flux": inputs[1].numpy()})[0]
        save_file({"change": change[0].astype(np.float32)}, os.path.join(args.out, f"onnxruntime{suffix}.safetensors"))
    if args.forecast:
        write_pipeline_files(args.out, cfg)
    print(os.path.join(args.out, "WenHai.onnx"))


if __name__ == "__main__":
    main()
