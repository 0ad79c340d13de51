#!/usr/bin/env python3
"""Independent numpy implementation of the surrogate's forward pass, in float64 and channels-first layout,
written from the architecture description (not from forecastd's Swift code): explicit zero padding, im2col
convolutions, np.roll for shifted windows and Swin's mask built from image regions.

Usage: forward.py [--bf16] FOLDER [FOLDER ...]
Each FOLDER holds config.json, model.safetensors and inputs.safetensors (state [S, H, W], flux [F, H, W]);
the daily change [S, H, W] is written to FOLDER/reference.safetensors as float32 (tensor "change").

With --bf16, both operands of every matrix product that forecastd computes in bf16 (linear layers, convolutions,
the transposed convolution, patch embedding and head; not the attention's QK^T and AV) are first taken to float32
and rounded to bf16 (nearest even, subnormals to zero), the products still accumulating in float64; the result
goes to FOLDER/reference-bf16.safetensors."""
import math
import os
import sys

import ml_dtypes  # noqa: F401  (registers bfloat16 with numpy for safetensors)
import numpy as np
from safetensors.numpy import load_file, save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wenhai_config  # noqa: E402

_erf = np.frompyfunc(math.erf, 1, 1)


def bf16(a):
    """a rounded to float32, then to bf16 (nearest even; subnormals to signed zero; NaN kept), back in float64."""
    f = np.ascontiguousarray(a, dtype=np.float32)
    bits = f.view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).astype(np.uint32)
    rounded = np.where((bits & 0x7F800000) == 0, (bits & 0x80000000).astype(np.uint32), rounded)
    return np.where(np.isnan(f), f, rounded.view(np.float32)).astype(np.float64)


def exact(a):
    return a


def gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)).astype(np.float64))


def silu(x):
    return x / (1.0 + np.exp(-x))


def conv2d(x, w, b, stride, pad, rnd=exact):
    """x [C, H, W], w [O, C, k, k] -> [O, Ho, Wo]; rnd rounds both operands of the product."""
    o, c, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    ho = (xp.shape[1] - k) // stride + 1
    wo = (xp.shape[2] - k) // stride + 1
    cols = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(1, 2))[:, ::stride, ::stride][:, :ho, :wo]
    cols = cols.transpose(1, 2, 0, 3, 4).reshape(ho * wo, c * k * k)
    out = rnd(cols) @ rnd(w.reshape(o, -1)).T + b
    return out.T.reshape(o, ho, wo)


def conv_transpose2x2(x, w, b, rnd=exact):
    """x [C, H, W], w [C, O, 2, 2] (kernel = stride = 2) -> [O, 2H, 2W]."""
    c, h, wd = x.shape
    o = w.shape[1]
    out = np.einsum("chw,coab->ohawb", rnd(x), rnd(w)).reshape(o, 2 * h, 2 * wd)
    return out + b[:, None, None]


def group_norm(x, groups, gamma, beta, eps):
    c = x.shape[0]
    g = x.reshape(groups, -1)
    mean = g.mean(axis=1, keepdims=True)
    var = g.var(axis=1, keepdims=True)
    y = ((g - mean) / np.sqrt(var + eps)).reshape(x.shape)
    return y * gamma.reshape(c, 1, 1) + beta.reshape(c, 1, 1)


def layer_norm(x, gamma, beta, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def relative_position_index(ws):
    coords = np.stack(np.meshgrid(np.arange(ws), np.arange(ws), indexing="ij")).reshape(2, -1)
    rel = (coords[:, :, None] - coords[:, None, :]).transpose(1, 2, 0) + (ws - 1)
    return rel[:, :, 0] * (2 * ws - 1) + rel[:, :, 1]


def shift_mask(h, w, ws, shift):
    """Swin's attention mask [windows, N, N]: -100 between tokens of different image regions."""
    img = np.zeros((h, w))
    label = 0
    for hs in (slice(0, -ws), slice(-ws, -shift), slice(-shift, None)):
        for wsl in (slice(0, -ws), slice(-ws, -shift), slice(-shift, None)):
            img[hs, wsl] = label
            label += 1
    windows = partition(img[:, :, None], ws)[:, :, 0]
    diff = windows[:, None, :] - windows[:, :, None]
    return np.where(diff != 0, -100.0, 0.0)


def partition(x, ws):
    h, w, c = x.shape
    return x.reshape(h // ws, ws, w // ws, ws, c).transpose(0, 2, 1, 3, 4).reshape(-1, ws * ws, c)


def merge(windows, ws, h, w):
    c = windows.shape[-1]
    return windows.reshape(h // ws, w // ws, ws, ws, c).transpose(0, 2, 1, 3, 4).reshape(h, w, c)


class Reference:
    # What both operands of every matrix product go through (bf16 with --bf16); also the default of a Reference
    # built without __init__ (training/check_architecture.py sets its parameters itself).
    rnd = staticmethod(exact)

    def __init__(self, folder, rnd=exact):
        self.rnd = rnd
        self.cfg = wenhai_config.load(folder)
        raw = load_file(os.path.join(folder, "model.safetensors"))
        self.p = {name: value.astype(np.float64) for name, value in raw.items()}
        self.eps = self.cfg["norm_eps"]

    def linear(self, x, name, bias=True):
        y = self.rnd(x) @ self.rnd(self.p[f"{name}.weight"]).T
        return y + self.p[f"{name}.bias"] if bias else y

    def ln(self, x, name):
        return layer_norm(x, self.p[f"{name}.weight"], self.p[f"{name}.bias"], self.eps)

    def gn_silu(self, x, name):
        return silu(group_norm(x, self.cfg["group_norm_groups"], self.p[f"{name}.weight"], self.p[f"{name}.bias"],
                               self.eps))

    def conv(self, x, name, stride, pad):
        return conv2d(x, self.p[f"{name}.weight"], self.p[f"{name}.bias"], stride, pad, self.rnd)

    def residual_convs(self, x, prefix):
        h = self.gn_silu(self.conv(x, f"{prefix}.conv1", 1, 1), f"{prefix}.norm1")
        h = self.gn_silu(self.conv(h, f"{prefix}.conv2", 1, 1), f"{prefix}.norm2")
        return h + x

    def embed(self, x, branch):
        p = self.cfg["patch_size"]
        e = self.conv(x, f"{branch}_embed", p, 0)
        s = self.conv(e, f"{branch}_down.conv", 2, 1)
        return self.residual_convs(s, f"{branch}_down")

    def attention(self, x, name, heads, shift):
        h, w, c = x.shape
        ws = self.cfg["window_size"]
        hd = c // heads
        if shift:
            x = np.roll(x, (-shift, -shift), axis=(0, 1))
        windows = partition(x, ws)
        nw, n, _ = windows.shape
        qkv = self.linear(windows, f"{name}.qkv").reshape(nw, n, 3, heads, hd).transpose(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * hd ** -0.5, qkv[1], qkv[2]
        scores = q @ k.transpose(0, 1, 3, 2)
        table = self.p[f"{name}.relative_position_bias_table"]
        bias = table[relative_position_index(ws).reshape(-1)].reshape(n, n, heads).transpose(2, 0, 1)
        scores = scores + bias[None]
        if shift:
            scores = scores + shift_mask(h, w, ws, shift)[:, None]
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        out = (scores @ v).transpose(0, 2, 1, 3).reshape(nw, n, c)
        out = merge(self.linear(out, f"{name}.proj"), ws, h, w)
        if shift:
            out = np.roll(out, (shift, shift), axis=(0, 1))
        return out

    def swin_block(self, x, name, heads, shift):
        x = x + self.attention(self.ln(x, f"{name}.norm1"), f"{name}.attn", heads, shift)
        y = gelu(self.linear(self.ln(x, f"{name}.norm2"), f"{name}.mlp.fc1"))
        return x + self.linear(y, f"{name}.mlp.fc2")

    def stage(self, x, prefix, depth, heads):
        for b in range(depth):
            shift = self.cfg["window_size"] // 2 if b % 2 == 1 else 0
            x = self.swin_block(x, f"{prefix}.blocks.{b}", heads, shift)
        return x

    def patch_merging(self, x, prefix):
        x = np.concatenate([x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]], axis=-1)
        return self.linear(self.ln(x, f"{prefix}.norm"), f"{prefix}.reduction", bias=False)

    def patch_expanding(self, x, prefix):
        h, w, c = x.shape
        y = self.linear(x, f"{prefix}.expand", bias=False).reshape(h, w, 2, 2, c // 2)
        y = y.transpose(0, 2, 1, 3, 4).reshape(2 * h, 2 * w, c // 2)
        return self.ln(y, f"{prefix}.norm")

    def forward(self, state, flux):
        cfg = self.cfg
        p = cfg["patch_size"]
        _, height, width = state.shape
        hp, wp = wenhai_config.padded_size(cfg, height, width)

        def pad(a):
            return np.pad(a, ((0, 0), (0, hp - height), (0, wp - width)))

        x = (self.embed(pad(state), "state") + self.embed(pad(flux), "flux")).transpose(1, 2, 0)
        depths, heads = cfg["depths"], cfg["num_heads"]
        skips = []
        for i in range(len(depths)):
            x = self.stage(x, f"layers.{i}", depths[i], heads[i])
            if i < len(depths) - 1:
                skips.append(x)
                x = self.patch_merging(x, f"layers.{i}.downsample")
        for i in reversed(range(len(depths) - 1)):
            x = self.patch_expanding(x, f"layers_up.{i}.upsample") + skips[i]
            x = self.stage(x, f"layers_up.{i}", depths[i], heads[i])
        x = self.ln(x, "norm").transpose(2, 0, 1)
        u = conv_transpose2x2(x, self.p["up.conv_transpose.weight"], self.p["up.conv_transpose.bias"], self.rnd)
        u = self.residual_convs(u, "up")
        s = cfg["state_channels"]
        y = np.einsum("od,dhw->ohw", self.rnd(self.p["head.weight"]), self.rnd(u)) + self.p["head.bias"][:, None, None]
        _, th, tw = y.shape
        y = y.reshape(s, p, p, th, tw).transpose(0, 3, 1, 4, 2).reshape(s, th * p, tw * p)
        return y[:, :height, :width]


def main():
    arguments = sys.argv[1:]
    emulate = "--bf16" in arguments
    for folder in [a for a in arguments if a != "--bf16"]:
        inputs = load_file(os.path.join(folder, "inputs.safetensors"))
        model = Reference(folder, bf16 if emulate else exact)
        change = model.forward(inputs["state"].astype(np.float64), inputs["flux"].astype(np.float64))
        name = "reference-bf16.safetensors" if emulate else "reference.safetensors"
        save_file({"change": change.astype(np.float32)}, os.path.join(folder, name))


if __name__ == "__main__":
    main()
